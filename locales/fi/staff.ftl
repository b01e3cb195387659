## Henkilökunnan työkalut.

staff-flags-title = <b>Kortit, joissa perheet ilmoittivat virheen</b>
staff-flags-none = Ei avoimia ilmoituksia. Kiitos, että pidät tiedot ajan tasalla!
staff-flags-line = • { $service }: { $reason } ({ $count }×, viimeksi { $date })
staff-flags-fixed = ✅ Korjattu: { $service }
staff-flags-resolved = { $count ->
    [one] Yksi ilmoitus merkitty käsitellyksi.
   *[other] { $count } ilmoitusta merkitty käsitellyiksi.
}

## Tarkistettavat käännökset: Suomi.fi-tieto, jonka pohjalta ne on kirjoitettu, muuttui.
staff-reviews-title = <b>Tarkista käännökset</b>
staff-reviews-intro = Nämä tiedot muuttuivat Suomi.fi-palvelutietovarannossa. Uudet yhteystiedot ja aukioloajat näkyvät perheille jo. Tarkista näiden korttien omat tekstit: arabia, englanti ja selkeä suomi, jos kortilla on sellainen.
staff-reviews-line = • { $service }: { $field }: { $old } → { $new } ({ $date })
staff-reviews-more = { $count ->
    [one] …ja yksi muu.
   *[other] …ja { $count } muuta.
}
staff-reviews-done = ✅ Tarkistettu: { $service }, { $field }
staff-reviews-marked = Merkitty tarkistetuksi.
staff-reviews-gone = Tämä muutos on jo merkitty tarkistetuksi.
staff-review-field-name = nimi
staff-review-field-summary = tiivistelmä
staff-review-field-description = kuvaus
staff-review-field-phone = puhelin
staff-review-field-address = osoite
staff-review-field-hours = aukioloajat
staff-review-empty = (ei mitään)

# Sent once to every staff member when the nightly PTV sync has failed PTV_SYNC_ALERT_AFTER times in a row.
ptv-sync-failing =
    ⚠️ Yöllinen päivitys Suomi.fi-palvelutietovarannosta ei onnistu.
    Epäonnistuneita päivityksiä peräkkäin: { $failures }.
    Perheet näkevät yhä viimeksi saadut tiedot. Pyydä ylläpitäjää tarkistamaan taustapalvelun (worker) loki.
