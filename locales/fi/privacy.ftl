## Yksityisyys, omat tiedot, poistaminen.

privacy-text =
    Mitä sinusta tallennetaan:
    • Telegram-käyttäjänumerosi, jotta voin vastata sinulle,
    • valitsemasi kieli,
    • milloin käytit minua ensimmäisen ja viimeisen kerran,
    • vastauksesi keskeneräisessä keskustelussa.
    En koskaan tallenna nimeäsi, käyttäjänimeäsi tai puhelinnumeroasi, enkä tallenna kirjoittamaasi tekstiä.
    Keskeneräiset vastaukset poistetaan { $days } päivän kuluttua.
    /mydata näyttää kaiken sinusta tallennetun. /delete poistaa kaiken.
privacy-counting =
    Nimettömät tilastot: { $counted ->
        [yes] oletuksena vaiheesi lasketaan ilman mitään, mistä sinut voisi tunnistaa (mihin kysymyksiin vastattiin tai mitkä ohitettiin, mitä palveluja näytettiin, kuukausi). Niihin ei tallennu Telegram-numeroa, nimeä eikä kirjoittamaasi tekstiä. Tilastot auttavat perhepalveluja näkemään, mitä perheet tarvitsevat. Voit kieltää laskemisen.
       *[no] valitsit, ettei sinua lasketa. Mitään tekemääsi ei lasketa tilastoihin.
    }
privacy-count-off = 🚫 Älä laske vastauksiani
privacy-count-on = ✅ Laske vastaukseni taas
privacy-counting-changed = { $counted ->
    [yes] Kiitos. Vastauksesi lasketaan taas, nimettömästi.
   *[no] Selvä. Tästä lähtien mitään tekemääsi ei lasketa.
}
privacy-mydata = 📄 Näytä tietoni
privacy-delete = 🗑 Poista tietoni

mydata-text =
    Tämä on kaikki, mitä sinusta on tallennettu:
    • kieli: { $locale }
    • ensimmäinen käyttö: { $first_seen }
    • viimeisin käyttö: { $last_seen }
    • tallennettuja keskustelun vaiheita: { $states }
    • mukana nimettömissä tilastoissa: { $counted ->
        [yes] kyllä
       *[no] ei
    }
    Liitteenä on samat tiedot koneluettavassa muodossa (JSON).
mydata-none = Sinusta ei ole tallennettu mitään.
mydata-caption = Tietosi Valossa

delete-confirm = Haluatko poistaa kaiken, mitä sinusta on tallennettu? Poistoa ei voi perua.
delete-yes = Kyllä, poista kaikki
delete-no = Ei, säilytä
delete-done = Kaikki sinusta tallennettu on poistettu. Jos kirjoitat minulle uudelleen, aloitamme alusta.
delete-cancelled = Mitään ei poistettu.
