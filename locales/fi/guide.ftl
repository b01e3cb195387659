## Ammattilaisen opastus (/guide, issue #25): palvelupolut, jotka annetaan perheille.

cmd-guide = Tee palvelupolku perheen kanssa

## Opastuksen kysymykset (dialogs/guide.yaml). Muut kysymykset ovat samat kuin /find-kysymykset.

guide-family-lang = Mitä kieltä perhe lukee? Palvelupolku, sen linkki ja tulostettava kortti ovat sillä kielellä. Seuraavat kysymykset ovat sinun kielelläsi. Ne on kirjoitettu perheelle: näytä ne perheelle tai lue ne ääneen.
guide-lang-fi = suomi
guide-lang-en = englanti
guide-lang-ar = arabia
guide-results = { $count ->
    [one] Palvelupolulla on yksi palvelu.
   *[other] Palvelupolulla on { $count } palvelua.
}

## Polku ennen kuin se annetaan perheelle (ammattilaisen kielellä).

guide-preview =
    Palvelupolku, kieli: { $language }
    { $services }
guide-preview-line = { $number }. { $name }
guide-none = Mikään palvelu ei sovi näihin vastauksiin. Aloita alusta ja valitse vähemmän vaihtoehtoja, tai ohita kysymyksiä.
guide-sensitive-ask = Osa näistä palveluista on väkivaltaa kokeneille tai tarjoaa turvallisen paikan asua. Saavatko ne näkyä tulostetussa kortissa? Tulostettu kortti voi löytyä kotoa. Linkki näyttää ne aina.
guide-print-sensitive = Kyllä, tulosta ne
guide-print-without = Ei, jätä ne pois
guide-hand-over = Anna polku perheelle
guide-restart = Aloita alusta
guide-link =
    Anna tämä linkki perheelle. Se avaa palvelupolun Valossa. Linkki toimii { $expires } asti:
    { $link }
guide-qr-caption = Perhe voi lukea tämän koodin puhelimen kameralla.
guide-print-caption = Kortti, jonka voit tulostaa perheelle.
guide-print-without-note = Väkivalta- ja turvakotipalvelut eivät ole tulostetussa kortissa.
guide-answers-removed = Opastus: vastaukset poistettu.
guide-done = ✅ Annettu. Vastauksia ei säilytetä: polulle jäävät vain palvelut, kunta ja kieli. Voit tehdä uuden polun komennolla /guide.
guide-stale = Tämä polku on jo annettu tai aloitettu alusta. Voit tehdä uuden polun komennolla /guide.

## Polku perheen näkemänä (polun kielellä).

guide-path-title = Sinulle tehty palvelupolku. Nämä palvelut voivat auttaa:
guide-path-gone = { $count ->
    [one] Yksi tämän polun palvelu ei ole enää Valossa.
   *[other] { $count } tämän polun palvelua ei ole enää Valossa.
}
guide-path-events = Näiden palvelujen tulevat tapahtumat:
guide-path-news = 🔔 Uutiset: { $municipality }
guide-path-invalid = Valitettavasti tämä linkki ei enää toimi. Se on ehkä vanhentunut. Voit silti etsiä palveluja itse täältä.

## Polun askel: missä palvelu auttaa ja mikä on ensimmäinen askel.

guide-helps-with = Auttaa: { $needs }
guide-first-call = Ensimmäinen askel: soita.
guide-first-call-always = Ensimmäinen askel: soita. Voit soittaa mihin aikaan tahansa.
guide-first-call-when = Ensimmäinen askel: soita { $when }.
guide-first-walk-in = Ensimmäinen askel: mene paikan päälle.
guide-first-walk-in-when = Ensimmäinen askel: mene paikan päälle { $when }.
guide-first-book-online = Ensimmäinen askel: varaa aika verkossa.
guide-first-apply-online = Ensimmäinen askel: hae verkossa.
guide-first-chat = Ensimmäinen askel: avaa chat.
guide-first-referral = Ensimmäinen askel: pyydä lähete, esimerkiksi neuvolasta.
guide-first-page = Ensimmäinen askel: katso järjestäjän verkkosivu.
guide-when = { $days } klo { $hours }
# Two groups of days with their hours: a comma, so the "and" inside a group stays clear.
guide-when-more = { $first }, { $next }
guide-days-every = joka päivä
guide-days-weekdays = arkisin
guide-days-list = { $days }
guide-day-mo = maanantaisin
guide-day-tu = tiistaisin
guide-day-we = keskiviikkoisin
guide-day-th = torstaisin
guide-day-fr = perjantaisin
guide-day-sa = lauantaisin
guide-day-su = sunnuntaisin

## Ammattilaiset /staff-näkymässä.

stf-pro-title = Ammattilaisia: { $count }
stf-pro-line = • { $who }: { $date } alkaen
stf-pro-invite-button = ➕ Kutsu ammattilainen
stf-pro-remove-button = ➖ Poista ammattilainen: { $who }
stf-pro-pending-line = • Kutsu ammattilaiseksi, kenelle: { $who }. Loi: id { $by }. Toimii { $expires } asti.
stf-pro-ask-label = Kenelle ammattilaisen kutsu on? Kirjoita nimi tai lyhyt muistiinpano (vain henkilökunta näkee sen), tai ohita.
stf-pro-invite-created =
    ✅ Kertakäyttöinen kutsulinkki ammattilaiselle (kenelle: { $who }):
    { $link }

    Se toimii kerran ja vanhenee { $expires }. Lähetä se vain tälle henkilölle: jokainen, joka avaa sen, voi tehdä palvelupolkuja perheiden kanssa (/guide).
stf-pro-invite-anyone = uusi ammattilainen
stf-pro-removed = ✅ { $who } ei voi enää käyttää komentoa /guide. Hänen antamansa polut toimivat, kunnes ne vanhenevat.
stf-pro-not = { $who } ei ole enää ammattilainen.
stf-pro-welcome = 
    ✅ Tervetuloa! Voit nyt tehdä palvelupolkuja perheiden kanssa.
    Komennolla /guide käyt perheen kanssa läpi samat kysymykset, joihin perheet vastaavat Valossa. Lopuksi saat linkin, QR-koodin ja tulostettavan kortin perheen kielellä.
stf-pro-joined = ✅ { $who } hyväksyi kutsusi ja on nyt ammattilainen.
stf-pro-already = Voit jo käyttää komentoa /guide. Kutsulinkkiä ei käytetty, joten joku muu voi vielä käyttää sitä.

## Tietosuoja.

privacy-paths = • Palvelupolut: ammattilainen voi antaa sinulle linkin palvelujen listaan. Polulle tallennetaan vain palvelut, kunta ja kieli, ei nimeäsi, Telegram-käyttäjänumeroasi eikä muita vastauksiasi. Kukaan ei saa tietää, avasitko sen. Polku poistetaan, kun linkki vanhenee { $days ->
        [one] päivän
       *[other] { $days } päivän
    } kuluttua.

## Indikaattoriraportti: palvelupolut (bot/indicators/report.py).

report-section-paths = Palvelupolut
report-section-paths-about = Palvelupolut, joita ammattilaiset tekivät perheiden kanssa, ja kuinka usein perheet avasivat ne. Mistään ei näe, kuka polun teki tai avasi. Jokainen tekeminen tai avaaminen lasketaan yhdeksi istunnoksi.
report-action-path_created = Palvelupolku tehty
report-action-path_opened = Palvelupolku avattu
report-column-paths = Polut
report-table-paths-by-municipality = Palvelupolut kunnittain
report-table-paths-by-municipality-about = Tehdyt ja avatut polut kunnittain. Kunta on se, jonka ammattilainen valitsi perheelle. Kunnat, joissa polkuja on alle viisi, lasketaan yhteen.
report-table-services-on-paths = Palvelut poluilla
report-table-services-on-paths-about = Kuinka monella tehdyllä polulla kukin palvelu oli (vain palvelut, jotka olivat vähintään viidellä polulla). Polulla voi olla useita palveluja, joten yhteissummaa ei ole.
