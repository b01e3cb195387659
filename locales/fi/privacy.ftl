## Yksityisyys, omat tiedot, poistaminen.
## /privacy nimeää jokaisen tallennetun tiedon (privacy-kind-*, yksi kutakin bot.db.personal_data.Kind-arvoa kohden).

privacy-text = Tätä tallennan sinusta. Näin kauan tiedot säilyvät:
privacy-kind-account = • Telegram-käyttäjänumerosi. Sen avulla vastaan sinulle. Kieli, jonka valitsit. Milloin käytit minua ensimmäisen ja viimeisen kerran (tunnin tarkkuudella). Tieto siitä, oletko estänyt minut. Tieto siitä, oletko kieltänyt laskemasta vastauksiasi. Henkilökunnan tai ammattilaisen oikeudet, jos sinulla on ne. Nämä säilyvät, kunnes poistat ne.
privacy-kind-dialog = • Vastauksesi /find-kysymyksiin ja kohta, jossa olet menossa. Linkki, jonka kautta tulit. Henkilökunnalla myös luonnos, joka on kesken. Poistan nämä, kun et ole vastannut { $days } päivään.
privacy-kind-reminders = • Muistutukset, jotka tilasit: tapahtuma, päivä ja milloin muistutan. Ne säilyvät, kunnes perut muistutuksen tai järjestäjä peruu tapahtuman.
privacy-kind-subscriptions = • Uutiset, jotka tilasit: kunta ja aihe. Ne säilyvät, kunnes lopetat tilauksen.
privacy-kind-deliveries = • Luettelo viesteistä, jotka lähetin sinulle. Viestit ovat muistutuksia, uutisia ja ilmoituksia. Luettelossa näkyy, mikä viesti lähti, milloin ja menikö se perille. { $days } päivän jälkeen jäljelle jää vain viestien määrä päivää kohden. Siinä ei ole mitään sinusta.
privacy-kind-card-marks = • Jos ilmoitat virheestä palvelun kortissa: merkintä, että ilmoitit siitä kortista tässä kuussa. Näin jokainen lasketaan vain kerran. Poistan merkinnän, kun kuukausi loppuu. Itse ilmoituksessa ei ole tietoa siitä, kuka sen teki.
privacy-kind-staff = • Vain henkilökunnalle ja ammattilaisille: kutsu, jonka hyväksyit, ja kutsuun kirjoitettu nimi. Tiedotteet ja kutsut, jotka teit. Niissä on Telegram-käyttäjänumerosi. Tekemäsi tiedotteet ja kutsut kuuluvat organisaatiolle. Siksi /delete ei poista niitä.
privacy-kind-statistics = • Nimettömät tilastot: valitut vastaukset (kunta, lasten iät, tarpeet, kielet), keskustelun kieli, linkki, jonka kautta tultiin, näytetyt palvelut ja kuukausi. Tilastoja ei voi yhdistää sinuun. Niissä ei ole Telegram-käyttäjänumeroa eikä nimeä. Siksi /delete ei löydä niitä.
privacy-never = En koskaan tallenna nimeäsi, käyttäjänimeäsi tai puhelinnumeroasi. En tallenna tekstiä, jonka kirjoitat minulle. Ainoat tekstit, jotka tallennan, ovat henkilökunnan kirjoittamat tiedotteet ja tapahtumat.
privacy-inactive = { $days ->
    [0] En poista tietojasi, vaikka et enää käyttäisi minua. Ne säilyvät, kunnes poistat ne komennolla /delete.
   *[other] Jos et käytä minua { $days } päivään etkä ole saanut minulta muistutusta tai uutista viimeisen { $recent } päivän aikana, poistan kaikki yllä olevat tiedot. Käyttö on viesti, komento tai painikkeen painallus. Poistan samat tiedot kuin /delete. Henkilökunta säilyttää oikeutensa, käyttäjänumeronsa, kielensä ja kutsunsa. Muut tiedot poistan.
}
privacy-commands = /mydata näyttää kaiken sinusta tallennetun. /delete poistaa kaiken.
privacy-counting = { $counted ->
    [yes] Sinut lasketaan oletuksena nimettömiin tilastoihin. Näin on, jos et muuta valintaa. Tilastot auttavat perhepalveluja näkemään, mitä perheet tarvitsevat. Voit kieltää laskemisen.
   *[no] Valitsit, ettei sinua lasketa. Mitään tekemääsi ei lasketa tilastoihin.
}
privacy-count-off = 🚫 Älä laske vastauksiani
privacy-count-on = ✅ Laske vastaukseni taas
privacy-counting-changed = { $counted ->
    [yes] Kiitos. Vastauksesi lasketaan taas, nimettömästi.
   *[no] Selvä. Tästä lähtien mitään tekemääsi ei lasketa.
}
privacy-mydata = 📄 Näytä tietoni
privacy-delete = 🗑 Poista tietoni

mydata-text = Tämä on kaikki, mitä sinusta on tallennettu:
mydata-kind-account =
    • kieli: { $locale }
    • ensimmäinen käyttö: { $first_seen }
    • viimeisin käyttö: { $last_seen }
    • mukana nimettömissä tilastoissa: { $counted ->
        [yes] kyllä
       *[no] ei
    }
mydata-kind-dialog = • tallennetut keskustelun vaiheet ja vastaukset: { $count }
mydata-kind-reminders = • muistutukset: { $count }
mydata-kind-subscriptions = • uutistilaukset: { $count }
mydata-kind-deliveries = • sinulle lähetetyt viestit luettelossa: { $count }
mydata-kind-card-marks = • kortit, joista ilmoitit virheen tässä kuussa: { $count }
mydata-kind-staff = • henkilökunnan tiedot, joissa on Telegram-käyttäjänumerosi: { $count }
mydata-file = Samat tiedot ovat liitteenä tiedostona (JSON).
mydata-none = Sinusta ei ole tallennettu mitään.
mydata-caption = Tietosi Valossa

delete-confirm = Haluatko poistaa kaiken, mitä sinusta on tallennettu? Poistoa ei voi perua.
delete-yes = Kyllä, poista kaikki
delete-no = Ei, säilytä
delete-done = Kaikki sinusta tallennettu on poistettu. Jos kirjoitat minulle uudelleen, aloitamme alusta.
delete-cancelled = Mitään ei poistettu.
