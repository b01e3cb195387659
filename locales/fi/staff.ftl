## Henkilökunnan työkalut.

staff-flags-title = <b>Kortit, joissa perheet ilmoittivat virheen</b>
staff-flags-none = Ei avoimia ilmoituksia. Kiitos, että pidät tiedot ajan tasalla!
staff-flags-line = • { $service }: { $reason } ({ $count }×, viimeksi { $date })
staff-flags-fixed = ✅ Korjattu: { $service }
staff-flags-resolved = { $count ->
    [one] Yksi ilmoitus merkitty käsitellyksi.
   *[other] { $count } ilmoitusta merkitty käsitellyiksi.
}

# Sent once to every staff member when the nightly PTV sync has failed PTV_SYNC_ALERT_AFTER times in a row.
ptv-sync-failing =
    ⚠️ Yöllinen päivitys Suomi.fi-palvelutietovarannosta ei onnistu.
    Epäonnistuneita päivityksiä peräkkäin: { $failures }.
    Perheet näkevät yhä viimeksi saadut tiedot. Pyydä ylläpitäjää katsomaan workerin lokia.
