## Henkilökunta: tiedotteet tilanneille perheille (/broadcast, /broadcasts) ja henkilökunnan oikeudet (/staff).

## Tiedotteen kirjoittaminen.

bc-ask-fi =
    Uusi tiedote. Kirjoita se suomeksi.

    Voit käyttää lihavointia, kursiivia ja linkkejä: muotoile teksti Telegramissa tai kirjoita Telegramin HTML-tageja, kuten <b>lihavointi</b>. Enintään { $max } merkkiä.
bc-ask-en = Kirjoita nyt englanninkielinen teksti tai ohita se: englantia käyttävät perheet saavat silloin suomenkielisen tekstin.
bc-ask-ar = Kirjoita nyt arabiankielinen teksti tai ohita se: arabiaa käyttävät perheet saavat silloin englanninkielisen tekstin (tai suomenkielisen, jos englanninkielistä ei ole).
bc-skip = Ohita ⏭
bc-stop = ✖️ Lopeta, älä lähetä mitään
bc-stopped = Lopetettu. Mitään ei lähetetty.
bc-need-text = Lähetä tiedote viestinä tai paina ”Lopeta, älä lähetä mitään”.
bc-stale = Painike on aiemmasta vaiheesta. Jatka uusimmasta viestistä.
bc-draft-broken = Tiedotteesta puuttuu jotain. Aloita alusta komennolla /broadcast.

bc-use-buttons = Valitse yllä olevilla painikkeilla tai paina ”Lopeta, älä lähetä mitään”.

## Tekstit, joita ei voi lähettää. Mitään ei tallennettu: lähetä teksti uudelleen.

bc-text-empty = Teksti on tyhjä. Kirjoita tiedote.
bc-text-too-long = Teksti on liian pitkä: { $length } merkkiä, enintään { $max }. Lyhennä tekstiä ja lähetä se uudelleen.
bc-html-unsupported = Telegram ei tue tagia <{ $tag }>. Sallitut: b, i, u, s, a href, code, pre, blockquote, tg-spoiler. Korjaa teksti ja lähetä se uudelleen.
bc-html-unexpected-end = Lopputagilla </{ $tag }> ei ole alkutagia. Korjaa teksti ja lähetä se uudelleen.
bc-html-wrong-end = Lopputagi </{ $tag }> ei täsmää: ensin pitäisi tulla </{ $expected }>. Korjaa teksti ja lähetä se uudelleen.
bc-html-unclosed = Tagia <{ $tag }> ei suljeta. Lisää </{ $tag }> ja lähetä teksti uudelleen.
bc-html-broken-tag = Jokin tagi on rikki (< tai > puuttuu). Jos tarkoitit itse merkkiä, kirjoita &lt; merkin < sijaan. Lähetä teksti uudelleen.
bc-html-link-without-address = Linkki (<a>) tarvitsee osoitteen: <a href="https://...">teksti</a>. Lähetä teksti uudelleen.

## Vastaanottajat.

bc-choose-audience = Kenelle tiedote lähetetään?
bc-audience-button-all = 📣 Kaikille tilaajille
bc-audience-button-municipality = 📍 Yhden kunnan tilaajille
bc-audience-button-topic = 🗂 Yhden aiheen tilaajille
bc-audience-button-event = ⏰ Muistutuksen tilanneille
bc-choose-municipality = Mikä kunta? Sen tai koko alueen uutisia seuraavat perheet saavat tiedotteen.
bc-choose-topic = Mikä aihe? Sitä tai kaikkia uutisia seuraavat perheet saavat tiedotteen.
bc-choose-event = Mikä tapahtuma? Perheet, joilla on siitä muistutus, saavat tiedotteen.
bc-no-events = Tulevia tapahtumia ei ole.
bc-audience-all = kaikille tilaajille
bc-audience-municipality = tilaajille (kunta: { $municipality })
bc-audience-topic = tilaajille (aihe: { $topic })
bc-audience-event = perheille, joilla on muistutus (tapahtuma: { $event })
bc-ask-attach = Liitetäänkö tiedotteeseen tapahtuma? Viestissä on silloin sen ”Muistuta minua” -painike.
bc-attach-none = Ei tapahtumaa
bc-more = Lisää ▶
bc-previous = ◀ Takaisin

## Esikatselu.

bc-preview-title = Esikatselu: kukin perheryhmä näkee viestin täsmälleen tällaisena.
bc-preview-group-fi = Suomea käyttävät perheet: { $count }. He näkevät:
bc-preview-group-en = Englantia käyttävät perheet: { $count }. He näkevät:
bc-preview-group-ar = Arabiaa käyttävät perheet: { $count }. He näkevät:
bc-fallback-en-fi = ⚠️ Englanninkielistä tekstiä ei ole: englantia käyttävät perheet saavat suomenkielisen tekstin ({ $count }).
bc-fallback-ar-en = ⚠️ Arabiankielistä tekstiä ei ole: arabiaa käyttävät perheet saavat englanninkielisen tekstin ({ $count }).
bc-fallback-ar-fi = ⚠️ Arabiankielistä tekstiä ei ole: arabiaa käyttävät perheet saavat suomenkielisen tekstin ({ $count }).
bc-preview-summary =
    Valmis lähetettäväksi: { $audience }.
    Vastaanottajia nyt: { $total } (suomi { $fi }, englanti { $en }, arabia { $ar }). Vastaanottajat valitaan uudelleen, kun lähetys alkaa.
bc-preview-event = ”Muistuta minua” -painike tapahtumalle: { $event }
bc-preview-nobody = ⚠️ Kukaan ei saisi tiedotetta juuri nyt.
bc-send-now = 📤 Lähetä nyt
bc-send-later = 🕒 Lähetä myöhemmin
bc-ask-when = Milloin tiedote lähetetään? Kirjoita päivä ja aika näin: { $example }

## Lähetys ja raportit. Nämä lähetetään tavallisena tekstinä.

bc-starting = ⏳ Tiedote #{ $id } alkaa lähteä. Tämä viesti näyttää lähetyksen edistymisen.
bc-scheduled = 🕒 Tiedote #{ $id } lähetetään { $when }. Perheet valitaan silloin. /broadcasts näyttää sen, ja voit perua sen siellä.
bc-progress-title = 📤 Tiedotetta #{ $id } lähetetään.
bc-counts = Lähetetty: { $sent } · Estänyt botin: { $blocked } · Epäonnistui: { $failed } · Ei tiedossa: { $unknown }
bc-progress-remaining = Lähettämättä: { $remaining } / { $total }
bc-progress-eta = Aikaa jäljellä: noin { $time }
bc-report-done = ✅ Tiedote #{ $id } on lähetetty.
bc-report-cancelled = ⛔ Tiedote #{ $id } peruttiin.
bc-report-recipients = Vastaanottajia: { $count }
bc-report-not-sent = Jäi lähettämättä perumisen takia: { $count }
bc-report-unknown-help = ”Ei tiedossa” tarkoittaa, ettei Telegram vahvistanut viestiä. Viesti on ehkä mennyt perille, mutta sitä ei koskaan lähetetä kahdesti.

## Tiedotteiden luettelo.

bc-list-title = Tiedotteet: ajastetut ja lähtevät ensin, sitten uusimmat.
bc-list-none = Tiedotteita ei vielä ole. Aloita komennolla /broadcast.
bc-status-scheduled = 🕒 ajastettu { $when }
bc-status-sending = 📤 lähtee, aloitettu { $when }
bc-status-done = ✅ lähetetty { $when }
bc-status-cancelled = ⛔ peruttu
bc-list-item =
    #{ $id } · { $status }
    Kenelle: { $audience }
    ”{ $excerpt }”
bc-list-recipients = Vastaanottajia: { $count }
bc-cancel-button = ⛔ Peru #{ $id }
bc-cancel-confirm = Perutaanko tiedote #{ $id }? Perheet, jotka eivät ole vielä saaneet sitä, eivät saa sitä.
bc-cancel-yes = Kyllä, peru
bc-cancel-no = Ei, jatka
bc-kept = Selvä: tiedote #{ $id } jatkuu suunnitellusti.
bc-cancelled = ⛔ Tiedote #{ $id } on peruttu. Kukaan ei saa sitä.
bc-cancel-stopped =
    ⛔ Tiedotteen #{ $id } lähetys on pysäytetty: { $count ->
        [one] yksi perhe ei saa sitä.
       *[other] { $count } perhettä ei saa sitä.
    } Jo lähetettyjä viestejä ei voi perua.
bc-cancel-too-late = Tiedote #{ $id } on jo lähetetty, joten sitä ei voi enää perua.
bc-unknown = Tiedotetta ei ole.

## Henkilökunnan oikeudet.

stf-title = Henkilökuntaa: { $count }
stf-who = id { $id }
stf-who-labelled = { $label } (id { $id })
stf-line-bootstrap = • { $who }: STAFF_IDS-asetuksesta
stf-line-invited = • { $who }: { $date } alkaen
stf-line-other = • { $who }
stf-you = (sinä)
stf-invite-button = ➕ Kutsu henkilökuntaan
stf-remove-button = ➖ Poista { $who }
stf-ask-label = Kenelle kutsu on? Kirjoita nimi tai lyhyt muistiinpano (vain henkilökunta näkee sen), tai ohita.
stf-skip = Ohita ⏭
stf-invite-created =
    ✅ Kertakäyttöinen kutsulinkki (kenelle: { $who }):
    { $link }

    Se toimii kerran ja vanhenee { $expires }. Lähetä se vain tälle henkilölle: jokainen, joka avaa sen, saa henkilökunnan oikeudet.
stf-invite-anyone = uusi henkilökunnan jäsen
stf-remove-confirm = { $who }: poistetaanko henkilökunnan oikeudet? Hän ei sen jälkeen voi lähettää tiedotteita eikä hallita tapahtumia.
stf-remove-yes = Kyllä, poista
stf-remove-no = Ei, säilytä
stf-removed = ✅ { $who } ei ole enää henkilökuntaa.
stf-removed-invites = { $count ->
    [one] Hänen luomansa käyttämätön kutsulinkki ei enää toimi.
   *[other] Hänen luomansa { $count } käyttämätöntä kutsulinkkiä ei enää toimi.
}
stf-pending-title = Käyttämättömiä kutsulinkkejä: { $count }
stf-pending-line = • Kenelle: { $who }. Loi: id { $by }. Toimii { $expires } asti.
stf-cancel-button = ✖ Peru kutsu: { $who }
stf-invite-cancelled = ✅ Kutsu on peruttu: sen linkki ei enää toimi.
stf-invite-gone = Kutsu oli jo käytetty tai vanhentunut, joten peruttavaa ei ollut.
stf-remove-bootstrap = { $who } on henkilökuntaa STAFF_IDS-asetuksen kautta. Pyydä ylläpitäjää muuttamaan asetusta.
stf-remove-self = Et voi poistaa omia henkilökunnan oikeuksiasi. Pyydä toista henkilökunnan jäsentä.
stf-remove-not-staff = { $who } ei ole enää henkilökuntaa.
stf-welcome =
    ✅ Tervetuloa henkilökuntaan! Voit nyt käyttää näitä:
    /broadcast lähettää tiedotteen tilanneille perheille
    /broadcasts näyttää tiedotteet, ja voit perua niitä
    /staffevents ja /addevent hallitsevat tapahtumia
    /flags näyttää kortit, joista perheet ovat ilmoittaneet virheen
    /staff näyttää henkilökunnan ja kutsut
stf-joined = ✅ { $who } hyväksyi kutsusi ja on nyt henkilökuntaa.
stf-already-staff = Olet jo henkilökuntaa. Kutsulinkkiä ei käytetty, joten joku muu voi vielä käyttää sitä.
stf-invite-invalid = Tämä kutsulinkki ei toimi: se on jo käytetty tai vanhentunut (linkit toimivat 24 tuntia). Pyydä henkilökunnalta uusi linkki.
