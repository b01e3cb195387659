## Henkilökunnan työkalut.

staff-flags-title = <b>Kortit, joissa perheet ilmoittivat virheen</b>
staff-flags-none = Ei avoimia ilmoituksia. Kiitos, että pidät tiedot ajan tasalla!
staff-flags-line = • { $service }: { $reason } ({ $count }×, viimeksi { $date })
staff-flags-fixed = ✅ Korjattu: { $service }
staff-flags-resolved = { $count ->
    [one] Yksi ilmoitus merkitty käsitellyksi.
   *[other] { $count } ilmoitusta merkitty käsitellyiksi.
}
