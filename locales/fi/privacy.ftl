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
privacy-mydata = 📄 Näytä tietoni
privacy-delete = 🗑 Poista tietoni

mydata-text =
    Tämä on kaikki, mitä sinusta on tallennettu:
    • kieli: { $locale }
    • ensimmäinen käyttö: { $first_seen }
    • viimeisin käyttö: { $last_seen }
    • tallennettuja keskustelun vaiheita: { $states }
    Liitteenä on samat tiedot koneluettavassa muodossa (JSON).
mydata-none = Sinusta ei ole tallennettu mitään.
mydata-caption = Tietosi Valossa

delete-confirm = Haluatko poistaa kaiken, mitä sinusta on tallennettu? Poistoa ei voi perua.
delete-yes = Kyllä, poista kaikki
delete-no = Ei, säilytä
delete-done = Kaikki sinusta tallennettu on poistettu. Jos kirjoitat minulle uudelleen, aloitamme alusta.
delete-cancelled = Mitään ei poistettu.
