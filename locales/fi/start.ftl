## Tervehdys ja ohje.

greeting =
    Hei! Olen Valo. Autan lapsiperheitä löytämään palveluja läheltä. Niitä ovat esimerkiksi neuvola, varhaiskasvatus, perheiden toiminta, tuki ja neuvonta.
    Voit käyttää minua nimettömänä: en kysy nimeäsi. Kukaan ihminen ei lue tätä keskustelua, joten hätätilanteessa soita 112.

help-text =
    Olen Valo, apuri Kaakkois-Suomen lapsiperheille.
    /find kysyy muutaman kysymyksen ja ehdottaa palveluja. /services näyttää kaikki palvelut. /events näyttää tapahtumat lähelläsi. /reminders näyttää muistutuksesi.
    Käytä painikkeita. /menu näyttää päävalikon milloin vain. /language vaihtaa kielen. /privacy kertoo, mitä sinusta tallennetaan.
    Kukaan ihminen ei lue tätä keskustelua. Hätätilanteessa soita 112.
