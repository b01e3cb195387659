## Palveluluettelo: tarpeet, perustelut, kortit, selaus.

need-pregnancy-baby = raskaus ja vauva
need-child-health = lapsen terveys
need-parenting-support = tuki vanhemmuuteen
need-early-education = päiväkoti ja varhaiskasvatus
need-leisure-art = lasten toiminta ja taide
need-money-benefits = raha-asiat ja tuet
need-home-help = apu kotiin
need-peer-support = muiden perheiden tapaaminen
need-integration-language = suomen kieli ja kotoutuminen
need-relationship-separation = parisuhde ja ero
need-mental-health = mielen hyvinvointi
need-crisis-urgent = kiireellinen apu

reason-needs = aiheet, joista kysyit: { $needs }
# A name quoted inside a sentence or list (need names in the needs reason).
quoted = ”{ $text }”
reason-local = sijainti: { $municipality }
reason-regional = palvelee asuinkuntaasi: { $municipality }
reason-nationwide = saatavilla koko Suomessa
reason-ages = { $min }–{ $max }-vuotiaille lapsille
reason-expecting = vauvaa odottaville perheille
reason-child-age = { $age }-vuotiaille lapsille
reason-around-the-clock = vastaa ympäri vuorokauden
reason-call = voit soittaa
reason-chat = voit kirjoittaa chatissa
reason-free = maksuton
reason-language = kieli: { $language }
reason-interpreter = tulkki voidaan järjestää
reason-walk-in = voit tulla ilman ajanvarausta

access-walk-in = tule suoraan paikalle
access-call = soita
access-chat = kirjoita chatissa
access-book-online = varaa aika verkossa
access-apply-online = hae verkossa
access-referral = lähetteellä

card-why = Miksi tämä sopii sinulle:
card-how = Näin pääset palveluun: { $how }
card-how-page = Näin pääset palveluun: yhteystiedot ovat järjestäjän verkkosivulla (alla)
card-cost-free = Hinta: maksuton
card-cost-fee = Hinta: maksullinen
card-cost-income-based = Hinta: riippuu tuloistasi
card-languages = Kielet: { $languages }
card-interpreter = Tulkki voidaan järjestää.
card-address = Osoite: { $place }, { $address }
card-place = Paikka: { $place }, { $town }
card-place-named = Paikka: { $place }
card-hours-today = Auki tänään: { $hours }
card-closed-today = Suljettu tänään
card-phone = Puhelin: { $phone }
card-phone-always = Puhelin päivystää ympäri vuorokauden.
card-phone-today = Puhelin vastaa tänään: { $hours }
card-phone-closed-today = Puhelin ei vastaa tänään.
card-chat = Chat: { $url }
card-chat-always = Chat on auki ympäri vuorokauden.
card-chat-today = Chat on auki tänään: { $hours }
card-chat-closed-today = Chat on suljettu tänään.
card-email = Sähköposti: { $email }
card-website = Verkkosivu: { $url }
card-untranslated = Tätä tekstiä ei ole vielä suomeksi. Siksi se näkyy toisella kielellä.
card-location = 📍 Näytä kartalla
card-flag = ⚠️ Onko tiedoissa virhe?
card-flag-ask = Mikä tiedoissa on väärin?
card-flag-closed = Palvelu on lopetettu
card-flag-phone = Väärä puhelinnumero
card-flag-hours = Väärät aukioloajat
card-flag-other = Jokin muu
card-flag-thanks = Kiitos! Tarkistamme asian. Ilmoituksesi on nimetön.

language-name-fi = suomi
language-name-sv = ruotsi
language-name-en = englanti
language-name-ar = arabia
language-name-ru = venäjä
language-name-so = somali
language-name-fa = persia
language-name-uk = ukraina
language-name-et = viro
language-name-ku = kurdi
language-name-tr = turkki
language-name-vi = vietnam
language-name-th = thai
language-name-zh = kiina
language-name-es = espanja
language-name-de = saksa
language-name-fr = ranska

category-health = Terveys ja neuvola
category-early-education = Päiväkoti ja varhaiskasvatus
category-family-support = Tukea perheille
category-leisure = Kulttuuri, taide ja vapaa-aika
category-peer = Vertaisryhmät ja vapaaehtoiset
category-money = Raha-asiat ja tuet
category-integration = Suomen kieli ja kotoutuminen
category-crisis = Kriisi ja turvallisuus

menu-services = 📚 Selaa kaikkia palveluja
services-choose-municipality = Missä asut? Valitse kuntasi.
services-all-municipalities = 🇫🇮 Koko Suomi
services-choose-category = Millaista palvelua etsit?
services-found = { $count ->
    [one] Yksi palvelu:
   *[other] { $count } palvelua:
}
services-none = Täältä ei vielä löytynyt palveluja. Kokeile toista aihetta tai ”Koko Suomi”.
services-more = Lisää ▶
services-previous = ◀ Takaisin
services-change-municipality = 📍 Vaihda kunta
services-change-category = 🗂 Muut aiheet
services-unknown = Anteeksi, en löydä tätä palvelua enää. Tässä lista uudelleen.

match-none =
    En löytänyt palvelua, joka sopisi kaikkiin vastauksiisi. Nämä auttavat kaikkia:
    • oma perhekeskus tai neuvola,
    • kriisipuhelin (MIELI) joka päivä ja yö: 09 2525 0111,
    • hätätilanteessa 112.
