## The professional's guide (/guide, issue #25): service paths handed over to families.

cmd-guide = Build a service path with a family

## The guide dialog (dialogs/guide.yaml). Its other questions are the /find questions.

guide-family-lang = Which language does the family read? The service path, its link and the printed card will be in that language. The questions that follow are in your language. They speak to the family: show them or read them aloud.
guide-lang-fi = Finnish
guide-lang-en = English
guide-lang-ar = Arabic
guide-results = { $count ->
    [one] The service path has one service.
   *[other] The service path has { $count } services.
}

## The path, before it is handed over (the professional's language).

guide-preview =
    Service path in { $language }:
    { $services }
guide-preview-line = { $number }. { $name }
guide-none = No service matches these answers. Start again and choose fewer options, or skip questions.
guide-sensitive-ask = Some of these services are for people who face violence, or offer a safe place to stay. May they appear on the printed card? A printed card can be found at home. The link always shows them.
guide-print-sensitive = Yes, print them
guide-print-without = No, leave them off
guide-hand-over = Hand over the path
guide-restart = Start again
guide-link =
    Give this link to the family. It opens the service path in Valo until { $expires }:
    { $link }
guide-qr-caption = The family can scan this code with their phone camera.
guide-print-caption = A card to print for the family.
guide-print-without-note = Violence and shelter services are not on the printed card.
guide-answers-removed = Guide: answers removed.
guide-done = ✅ Handed over. The answers are not kept: the path keeps only the services, the municipality and the language. Use /guide to build a new path.
guide-stale = This path was already handed over or started again. Use /guide to build a new one.

## The path, as the family sees it (the path's language).

guide-path-title = A service path made for you. These services can help:
guide-path-gone = { $count ->
    [one] One service on this path is no longer in Valo.
   *[other] { $count } services on this path are no longer in Valo.
}
guide-path-events = Upcoming events of these services:
guide-path-news = 🔔 News from { $municipality }
guide-path-invalid = Sorry, this link does not work any more. It may have expired. You can still find services yourself here.

## A step of a path: what the service helps with, and the first step to take.

guide-helps-with = Helps with: { $needs }
guide-first-call = First step: call them.
guide-first-call-always = First step: call them, any time of day or night.
guide-first-call-when = First step: call them { $when }.
guide-first-walk-in = First step: walk in.
guide-first-walk-in-when = First step: walk in { $when }.
guide-first-book-online = First step: book a time online.
guide-first-apply-online = First step: apply online.
guide-first-chat = First step: open the chat.
guide-first-referral = First step: ask for a referral, for example at the maternity and child health clinic (neuvola).
guide-first-page = First step: see the organiser's website.
guide-when = { $days } { $hours }
# Two groups of days with their hours: a comma, so the "and" inside a group stays clear.
guide-when-more = { $first }, { $next }
guide-days-every = every day
guide-days-weekdays = on weekdays
guide-days-list = on { $days }
guide-day-mo = Mondays
guide-day-tu = Tuesdays
guide-day-we = Wednesdays
guide-day-th = Thursdays
guide-day-fr = Fridays
guide-day-sa = Saturdays
guide-day-su = Sundays

## Professionals in /staff.

stf-pro-title = Professionals: { $count }
stf-pro-line = • { $who }: since { $date }
stf-pro-invite-button = ➕ Invite a professional
stf-pro-remove-button = ➖ Remove professional: { $who }
stf-pro-pending-line = • professional invite for { $who }, created by id { $by }, works until { $expires }
stf-pro-ask-label = Who is the professional's invite for? Type their name or a short note (only staff see it), or skip.
stf-pro-invite-created =
    ✅ One-time invite link for a professional ({ $who }):
    { $link }

    It works once and expires on { $expires }. Send it only to this person: whoever opens it can build service paths with families (/guide).
stf-pro-invite-anyone = the new professional
stf-pro-removed = ✅ { $who } can no longer use /guide. The paths they handed over keep working until they expire.
stf-pro-not = { $who } is not a professional any more.
stf-pro-welcome = 
    ✅ Welcome! You can now build service paths with families.
    With /guide you go through Valo's questions together with the family, then get a link, a QR code and a card to print, in the family's language.
stf-pro-joined = ✅ { $who } accepted your invite and is now a professional.
stf-pro-already = You can use /guide already. The invite link was not used, so someone else can still use it.

## Privacy.

privacy-paths = • Service paths: a professional can give you a link to a list of services. The path keeps only the services, the municipality and the language: not your name, your Telegram user number or your other answers. Nobody learns whether you opened it. It is deleted when the link expires, after { $days ->
        [one] one day
       *[other] { $days } days
    }.

## The indicator report: service paths (bot/indicators/report.py).

report-section-paths = Service paths
report-section-paths-about = Service paths professionals built with families, and how often families opened them. Nothing says who made or opened a path. Each creation or opening counts as one session.
report-action-path_created = Service path created
report-action-path_opened = Service path opened
report-column-paths = Paths
report-table-paths-by-municipality = Service paths by municipality
report-table-paths-by-municipality-about = Paths created and opened, by the municipality the professional chose for the family. Municipalities with fewer than five paths are counted together.
report-table-services-on-paths = Services on paths
report-table-services-on-paths-about = How many created paths each service was on (only services on at least five paths). A path can have several services, so there is no total.
