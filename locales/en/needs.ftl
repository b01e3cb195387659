## Finding services: the family-needs dialog (dialogs/needs.yaml) and the dialog engine's own texts.

menu-find = 🔎 Find services for my family
cmd-find = Find services for my family

## The dialog engine: progress, buttons, notes.

flow-progress = Question { $current } of { $total }
flow-progress-last = Last question ({ $current } of { $total })
flow-progress-most = Question { $current } of at most { $total }
flow-progress-open = Question { $current }
flow-multi-hint = Choose all that fit, then press “Done”.
flow-done = ✅ Done
flow-skip = I'd rather not say
flow-skip-plain = Skip
flow-back = ⬅️ Back
flow-restart = 🔄 Start over
flow-page-prev = ◀️ Previous
flow-page-next = Next ▶️
flow-yes = Yes
flow-no = No
flow-continue = Continue
flow-more = ➕ More services
flow-browse = 📚 Browse all services
flow-events-near = 🎨 Events near me
flow-results-next = What would you like to do next?
flow-stale = That button was from an earlier question. Here is where we are now.
flow-updated = The questions have changed a little, so let's start again from the beginning.
flow-choose-one = Please choose at least one option.

## Municipalities of South-East Finland, by their official codes.

municipality-285 = Kotka
municipality-075 = Hamina
municipality-286 = Kouvola
municipality-624 = Pyhtää
municipality-935 = Virolahti
municipality-489 = Miehikkälä
municipality-405 = Lappeenranta
municipality-153 = Imatra
municipality-441 = Luumäki
municipality-416 = Lemi
municipality-739 = Savitaipale
municipality-831 = Taipalsaari
municipality-689 = Rautjärvi
municipality-700 = Ruokolahti
municipality-580 = Parikkala

## The family-needs dialog.

needs-where =
    Every family needs a helping hand sometimes. Answer a few quick questions and I will suggest services near you. You can skip any question.

    Where does your family live?
needs-ages = How old are your children? If you are expecting a baby, choose that too.
needs-age-expecting = 🤰 We are expecting a baby
needs-age-under-1 = Under 1 year
needs-age-1-2 = 1–2 years
needs-age-3-5 = 3–5 years
needs-age-6-12 = 6–12 years
needs-age-13-17 = 13–17 years

needs-help = What would make everyday life easier right now?
needs-help-talk = 💬 Talking about parenting
needs-help-daycare = 🧸 Daycare or play sessions
needs-help-activities = 🎨 Activities and art
needs-help-money = 💶 Money and benefits
needs-help-home = 🏠 Tiredness and help at home
needs-help-families = 👋 Meeting other families
needs-help-finnish = 🗣 Finnish and settling in
needs-help-urgent = 🆘 Something urgent

needs-home = Thank you for telling me. What feels hard at home right now?
needs-home-baby = 👶 A new baby in the family
needs-home-illness = 🤒 Illness or exhaustion
needs-home-hard-times = 🌧 Separation or hard times

needs-free = Would you like me to show only free services?

needs-languages = Which languages are you comfortable using with a service?
needs-lang-fi = Finnish (suomi)
needs-lang-sv = Swedish (svenska)
needs-lang-en = English
needs-lang-ar = Arabic (العربية)
needs-lang-ru = Russian (русский)
needs-lang-uk = Ukrainian (українська)
needs-lang-so = Somali (Soomaali)
needs-lang-fa = Persian (فارسی)
needs-lang-et = Estonian (eesti)

needs-results =
    { $count ->
        [0] I did not find services for these answers. You can browse all services or start over with fewer choices.
        [one] I found one service that could help your family.
       *[other] I found { $count } services that could help your family. The best matches come first.
    }

## Results when the family asked for free services only (the question needs-free).

match-free-only = As you asked, only free services are shown.
match-free-crisis = The emergency number and crisis helplines are always shown.
match-free-hidden =
    { $count ->
        [one] One more service fits your answers, but it may cost something. To see it too, start over and answer “No” to the question about free services.
       *[other] { $count } more services fit your answers, but they may cost something. To see them too, start over and answer “No” to the question about free services.
    }
match-free-none =
    { $count ->
        [one] No free service fits your answers, so here is the one that does. It may cost something.
       *[other] No free service fits your answers, so here are the { $count } that do. They may cost something.
    }
