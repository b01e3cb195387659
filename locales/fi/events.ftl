## Tapahtumat perheen lähellä, muistutukset, uutiset viestillä ja henkilökunnan tapahtumatyökalut.

menu-events = 🎨 Tapahtumia perheille
menu-reminders = ⏰ Omat muistutukset
menu-news = 📣 Uutiset viestillä

cmd-events = Tapahtumat lähelläsi
cmd-reminders = Omat muistutukset
cmd-news = Tilaa uutisia viestillä

## Tapahtumien lajit.

event-kind-art = 🎨 Taide ja kulttuuri
event-kind-open-ecec = 🧸 Avoin varhaiskasvatus
event-kind-family-cafe = ☕ Perhekahvilat ja kerhot
event-kind-other = ✨ Muut tapahtumat

## Tapahtumien selaaminen.

events-choose-municipality = Missä asut? Näytän tapahtumat läheltäsi.
events-everywhere = 🗺 Tapahtumat kaikkialla
events-heading-near = Tapahtumia lähellä: { $municipality }
events-heading-everywhere = Tapahtumat kaikkialla
events-heading-kind = Näytetään: { $kind }
events-found = { $count ->
    [one] Yksi tuleva tapahtuma:
   *[other] { $count } tulevaa tapahtumaa:
}
events-none = Täällä ei ole vielä tulevia tapahtumia. Kokeile toista tapahtumalajia tai paikkaa.
events-section-local = Oma kunta: { $municipality }
events-section-regional = Lähistöllä
events-section-nationwide = Koko Suomessa
events-more = Lisää ▶
events-previous = ◀ Takaisin
events-filter = 🗂 Valitse tapahtumalaji
events-choose-kind = Millaisia tapahtumia haluat nähdä?
events-all-kinds = Kaikki lajit
events-change-municipality = 📍 Vaihda paikka
events-gone = Valitettavasti tapahtuma ei ole enää saatavilla. Se on ehkä peruttu tai jo ohi.

## Yksi tapahtuma.

event-when = Milloin: { $when }
event-repeats-weekly = Toistuu: joka viikko
event-repeats = Toistuu: säännöllisesti
event-where = Missä: { $place }
event-ages = Ikä: { $min }–{ $max } v
event-ages-expecting = Vauvaa odottaville perheille
event-cost-free = Hinta: maksuton
event-cost-fee = Hinta: maksullinen
event-cost-income-based = Hinta: riippuu tuloistasi
event-by = Järjestäjä: { $service }
event-line = { $when } · { $municipality }
event-line-no-place = { $when }
event-remind-me = ⏰ Muistuta minua
event-add-to-calendar = 📅 Lisää kalenteriin
event-show-map = 📍 Näytä kartalla
event-ics-caption = Avaa tiedosto, niin tapahtuma tallentuu kalenteriisi.

## Muistuta minua.

remind-which =
    Tapahtuma: { $title }
    Seuraava kerta: { $when }
    Muistutanko vain seuraavasta kerrasta vai joka kerrasta?
remind-next-only = Vain seuraava kerta ({ $when })
remind-follow-series = Joka kerta (seuraa sarjaa)
remind-when = Milloin muistutan?
remind-choice-d = Edellisenä päivänä klo 18.00
remind-choice-h = Tuntia ennen
remind-choice-b = Molemmat
remind-offsets-d = edellisenä päivänä klo 18.00
remind-offsets-h = tuntia ennen
remind-offsets-b = edellisenä päivänä klo 18.00 ja tuntia ennen
remind-set-once = ✅ Selvä! Muistutan tästä kerrasta (tapahtuma: { $title }, { $when }): { $offsets }.
remind-set-series = ✅ Selvä! Muistutan jokaisesta kerrasta (tapahtuma: { $title }): { $offsets }.
remind-too-late = Muistutukselle on jo liian myöhäistä: tapahtuma alkaa ihan pian. Tervetuloa!
remind-see-all = 📋 Omat muistutukset

## Omat muistutukset.

reminders-title = { $count ->
    [one] Sinulla on yksi muistutus:
   *[other] Sinulla on { $count } muistutusta:
}
reminders-item-once =
    { $number }. <b>{ $title }</b>
    Milloin: { $when }
    Muistutus: { $offsets }
reminders-item-weekly =
    { $number }. <b>{ $title }</b>, joka viikko
    Seuraava kerta: { $when }
    Muistutus: { $offsets }
reminders-item-series =
    { $number }. <b>{ $title }</b>, joka kerta
    Seuraava kerta: { $when }
    Muistutus: { $offsets }
reminders-none = Sinulla ei ole vielä muistutuksia. Avaa tapahtuma ja paina ”Muistuta minua”.
reminders-cancel = ❌ Peru { $number }: { $title }
reminders-cancelled = ✅ Muistutus on peruttu.
reminders-not-found = Muistutus oli jo poistettu.

## Uutiset viestillä.

news-choose-municipality = Mistä kunnasta haluat uutisia? Valitse kotikuntasi.
news-whole-region = 🗺 Koko alue
news-topic-art = 🎨 Taidetapahtumat
news-topic-open-ecec = 🧸 Avoin varhaiskasvatus
news-topic-family-cafe = ☕ Perhekahvilat
news-topic-all = 📣 Kaikki uutiset
news-on-mark = ✅
news-off-mark = ▫️
news-status-none = Et saa vielä uutisia.
news-status = Saat uutisia. Kunta: { $municipality }. Aiheet: { $topics }.
news-status-everything = Saat kaikki uutiset. Kunta: { $municipality }.
news-topics-help = Valitse aiheet (kunta: { $municipality }). Napauta aihetta, niin se kytkeytyy päälle tai pois. Voit muuttaa tai lopettaa tilauksen milloin vain.
news-change-municipality = 📍 Vaihda kunta
news-stop = 🔕 Lopeta kaikki uutiset
news-stopped = Selvä. Et saa enää uutisia meiltä. Voit aloittaa uudelleen milloin vain.
news-start-again = 📣 Valitse uutiset uudelleen

## Henkilökunta: tapahtumien hallinta.

staff-events-title = { $count ->
    [0] Henkilökunnan työkalut: tulevia tapahtumia ei ole. Voit lisätä uuden.
    [one] Henkilökunnan työkalut: yksi tuleva tapahtuma. Valitse se muokataksesi, siirtääksesi tai peruaksesi, tai lisää uusi.
   *[other] Henkilökunnan työkalut: { $count } tulevaa tapahtumaa. Valitse tapahtuma muokataksesi, siirtääksesi tai peruaksesi, tai lisää uusi.
}
staff-add-event = ➕ Lisää tapahtuma
staff-event-reminded = { $count ->
    [0] Kenelläkään perheellä ei ole vielä muistutusta tästä tapahtumasta.
    [one] Yhdellä perheellä on muistutus tästä tapahtumasta.
   *[other] { $count } perheellä on muistutus tästä tapahtumasta.
}
staff-edit-title = ✏️ Muokkaa nimeä
staff-move = 🕒 Siirrä toiseen aikaan
staff-cancel-event = ❌ Peru tapahtuma
staff-back-to-list = ⬅️ Kaikki tapahtumat
staff-open-event = 📄 Avaa tapahtuma
staff-ask-title-language = Minkä kielen nimeä haluat muuttaa?
staff-language-fi = suomi
staff-language-en = englanti
staff-language-ar = arabia
staff-ask-new-title =
    Nimi nyt: { $current }
    Kirjoita uusi nimi.
staff-title-saved = ✅ Nimi tallennettu: { $title }
staff-ask-move = Kirjoita uusi päivä ja kellonaika, esimerkiksi { $example }. Perheille, joilla on muistutus, kerrotaan muutoksesta.
staff-moved = ✅ Siirretty: { $when }. { $count ->
    [0] Kenelläkään ei ollut muistutusta.
    [one] Yhdelle perheelle, jolla on muistutus, kerrotaan muutoksesta.
   *[other] { $count } perheelle, joilla on muistutus, kerrotaan muutoksesta.
}
staff-cancel-confirm = Perutaanko { $title }? { $count ->
    [0] Kenelläkään perheellä ei ole siitä muistutusta.
    [one] Yhdelle perheelle, jolla on muistutus, kerrotaan perumisesta.
   *[other] { $count } perheelle, joilla on muistutus, kerrotaan perumisesta.
}
staff-cancel-yes = Kyllä, peru se
staff-cancel-no = Ei, pidä se
staff-cancelled = ✅ { $title } on peruttu. { $count ->
    [0] Kenelläkään ei ollut muistutusta.
    [one] Yhdelle perheelle, jolla on muistutus, kerrotaan perumisesta.
   *[other] { $count } perheelle, joilla on muistutus, kerrotaan perumisesta.
}

## Henkilökunta: tapahtuman lisääminen.

staff-ask-title-fi = Uusi tapahtuma. Kirjoita sen nimi suomeksi.
staff-ask-title-en = Kirjoita nimi englanniksi tai ohita: englantia käyttävät perheet näkevät silloin suomenkielisen nimen.
staff-ask-title-ar = Kirjoita nimi arabiaksi tai ohita: arabiaa käyttävät perheet näkevät silloin suomenkielisen nimen.
staff-skip = Ohita ⏭
staff-abort = ✖️ Lopeta tallentamatta
staff-aborted = Lopetettu. Mitään ei tallennettu.
staff-ask-service = Mihin palveluun tapahtuma kuuluu? Valitse listasta tai kirjoita palvelun tunnus.
staff-ask-start = Milloin se alkaa? Kirjoita päivä ja kellonaika näin: { $example }
staff-ask-duration = Kuinka kauan se kestää? Valitse tai kirjoita minuutit (90) tai tunnit ja minuutit (1.30).
staff-minutes = { $minutes } min
staff-ask-place = Missä se on? Valitse jokin palvelun toimipaikoista.
staff-no-place = Ei kiinteää paikkaa
staff-ask-kinds = Millainen tapahtuma se on? Valitse yksi tai useampi ja paina sitten Valmis.
staff-done = ✅ Valmis
staff-ask-ages = Minkä ikäisille? Valitse tai kirjoita ikäväli, esimerkiksi 3-6.
staff-ages-same = Sama kuin palvelulla
staff-ask-cost = Onko se maksuton?
staff-cost-same = Sama kuin palvelulla
staff-ask-repeat = Onko se kerran vai joka viikko?
staff-repeat-once = Vain kerran
staff-repeat-weekly = Joka viikko
staff-ask-until = Mihin päivään asti se toistuu? Kirjoita viimeinen päivä näin: 28.5.2027
staff-preview-intro = Esikatselu: perheet näkevät tapahtuman näin.
staff-preview-titles = Nimet: fi: { $fi } · en: { $en } · ar: { $ar }
staff-preview-fallback = Nimi puuttuu ({ $languages }). Perheet, joiden kielellä nimeä ei ole, näkevät suomenkielisen nimen.
staff-preview-until = Toistuu joka viikko { $date } asti.
staff-save = 💾 Tallenna
staff-saved = ✅ Tallennettu: { $title }. Perheet löytävät sen nyt komennolla /events.
staff-draft-broken = Tapahtumasta puuttuu jotain. Aloita alusta komennolla /addevent.
staff-stale = Painike on aiemmasta vaiheesta. Jatka uusimmasta viestistä.
staff-need-text = Kirjoita vastauksesi tekstinä tai paina ”Lopeta tallentamatta”.

## Henkilökunta: syöte, jota ei voitu käyttää.

staff-error-datetime = En saanut selvää ajasta. Kirjoita päivä ja kellonaika näin: 5.12.2026 10.00
staff-error-no-such-time = Tätä kellonaikaa ei ole: kelloja siirretään sinä yönä eteenpäin. Valitse toinen aika.
staff-error-past = Aika on jo mennyt. Kirjoita tuleva aika.
staff-error-too-far = Aika on yli vuoden päässä. Tarkista vuosi.
staff-error-date = En saanut selvää päivästä. Kirjoita se näin: 28.5.2027
staff-error-until-before = Viimeisen päivän pitää olla ensimmäisen kerran jälkeen.
staff-error-duration = Kirjoita kesto minuutteina (90) tai tunteina ja minuutteina (1.30), väliltä 10 minuuttia – 12 tuntia.
staff-error-ages = Kirjoita ikäväli näin: 3-6 (kokonaisina vuosina, 0–{ $max }).
staff-error-title = Nimessä pitää olla 1–{ $max } merkkiä.
staff-error-no-times = Muutoksen jälkeen tapahtumalla ei olisi yhtään tulevaa kertaa. Tarkista päivä.
staff-error-kinds = Valitse ainakin yksi laji.
staff-error-service = Palvelua tunnuksella ”{ $id }” ei löydy. Valitse listasta tai tarkista tunnus.
