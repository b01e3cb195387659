## Palveluiden etsiminen: perheen tarpeiden kysymykset (dialogs/needs.yaml) ja dialogimoottorin omat tekstit.

menu-find = 🔎 Etsi palveluja perheelle
cmd-find = Etsi palveluja perheelle

## Dialogimoottori: eteneminen, painikkeet, huomautukset.

flow-progress = Kysymys { $current }/{ $total }
flow-progress-last = Viimeinen kysymys ({ $current }/{ $total })
flow-progress-most = Kysymys { $current }, kysymyksiä enintään { $total }
flow-progress-open = Kysymys { $current }
flow-multi-hint = Valitse kaikki sopivat ja paina lopuksi ”Valmis”.
flow-done = ✅ Valmis
flow-skip = En halua kertoa
flow-skip-plain = Ohita
flow-back = ⬅️ Takaisin
flow-restart = 🔄 Aloita alusta
flow-page-prev = ◀️ Edelliset
flow-page-next = Seuraavat ▶️
flow-yes = Kyllä
flow-no = Ei
flow-continue = Jatka
flow-more = ➕ Näytä lisää palveluja
flow-browse = 📚 Selaa kaikkia palveluja
flow-events-near = 🎨 Tapahtumia lähelläni
flow-results-next = Mitä haluaisit tehdä seuraavaksi?
flow-stale = Painike oli aiemmasta kysymyksestä. Tässä kohta, jossa olemme nyt.
flow-updated = Kysymykset ovat hieman muuttuneet, joten aloitetaan alusta.
flow-choose-one = Valitse ainakin yksi vaihtoehto.

## Kaakkois-Suomen kunnat virallisten kuntanumeroiden mukaan.

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

## Perheen tarpeet.

needs-where =
    Jokainen perhe tarvitsee joskus apua. Vastaa muutamaan lyhyeen kysymykseen, niin ehdotan palveluja läheltäsi. Voit ohittaa minkä tahansa kysymyksen.

    Missä perheesi asuu?
needs-ages = Minkä ikäisiä lapsesi ovat? Jos odotat vauvaa, valitse myös se.
needs-age-expecting = 🤰 Odotamme vauvaa
needs-age-under-1 = Alle 1-vuotias
needs-age-1-2 = 1–2-vuotias
needs-age-3-5 = 3–5-vuotias
needs-age-6-12 = 6–12-vuotias
needs-age-13-17 = 13–17-vuotias

needs-help = Mikä helpottaisi arkeasi juuri nyt?
needs-help-talk = 💬 Keskustelua vanhemmuudesta
needs-help-daycare = 🧸 Päiväkoti tai avoin kerho
needs-help-activities = 🎨 Harrastuksia ja taidetta
needs-help-money = 💶 Raha-asiat ja etuudet
needs-help-home = 🏠 Väsymys ja apu kotiin
needs-help-families = 👋 Muiden perheiden tapaaminen
needs-help-finnish = 🗣 Suomen kieli ja kotoutuminen
needs-help-urgent = 🆘 Jotain kiireellistä

needs-home = Kiitos, kun kerroit. Mikä kotona tuntuu nyt raskaalta?
needs-home-baby = 👶 Perheeseen on tullut vauva
needs-home-illness = 🤒 Sairaus tai uupumus
needs-home-hard-times = 🌧 Ero tai muu vaikea tilanne

needs-free = Näytänkö vain maksuttomat palvelut?

needs-languages = Millä kielillä voit asioida? Valitse kaikki sopivat.
needs-lang-fi = suomi
needs-lang-sv = ruotsi (svenska)
needs-lang-en = englanti (English)
needs-lang-ar = arabia (العربية)
needs-lang-ru = venäjä (русский)
needs-lang-uk = ukraina (українська)
needs-lang-so = somali (Soomaali)
needs-lang-fa = persia (فارسی)
needs-lang-et = viro (eesti)

needs-results =
    { $count ->
        [0] En löytänyt palveluja näillä vastauksilla. Voit selata kaikkia palveluja. Voit myös aloittaa alusta ja valita vähemmän vaihtoehtoja.
        [one] Löysin yhden palvelun, joka voisi auttaa perhettäsi.
       *[other] Löysin { $count } palvelua, jotka voisivat auttaa perhettäsi. Parhaiten sopivat ovat ensin.
    }

## Tulokset, kun perhe pyysi vain maksuttomia palveluja (kysymys needs-free).

match-free-only = Näytän vain maksuttomat palvelut, kuten pyysit.
match-free-crisis = Hätänumero ja kriisipuhelimet näytetään aina.
match-free-hidden =
    { $count ->
        [one] Vastauksiisi sopii myös yksi palvelu, joka voi olla maksullinen. Jos haluat nähdä senkin, aloita alusta ja vastaa ”Ei” kysymykseen maksuttomista palveluista.
       *[other] Vastauksiisi sopii myös { $count } palvelua, jotka voivat olla maksullisia. Jos haluat nähdä nekin, aloita alusta ja vastaa ”Ei” kysymykseen maksuttomista palveluista.
    }
match-free-none =
    { $count ->
        [one] Vastauksiisi ei sovi yhtään maksutonta palvelua. Tässä on se yksi palvelu, joka sopii. Se voi olla maksullinen.
       *[other] Vastauksiisi ei sovi yhtään maksutonta palvelua. Tässä ovat ne { $count } palvelua, jotka sopivat. Ne voivat olla maksullisia.
    }
