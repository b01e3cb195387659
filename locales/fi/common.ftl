## Yhteiset tekstit: valikko, komennot, varavastaukset.

language-self = Suomi

menu-title = Mitä haluaisit tehdä?
menu-language = 🌐 Kieli
menu-privacy = 🔒 Yksityisyys ja omat tiedot
menu-help-now = 🆘 Tarvitsetko apua nyt?
menu-back = ⬅️ Päävalikko

unknown-input = Anteeksi, ymmärrän vain painikkeita. Valitse alla olevasta valikosta.
stale-button = Painike on vanhasta viestistä. Tässä valikko uudelleen.
flood-slow-down = Lähetät viestejä hyvin nopeasti. Odota hetki ja yritä sitten uudelleen.
error-generic = Anteeksi, meillä tapahtui virhe. Yritä hetken päästä uudelleen.
not-allowed = Anteeksi, tämä ei ole sallittua.
private-chats-only = Toimin vain yksityisissä keskusteluissa, joten poistun. Kirjoita minulle suoraan.

help-now =
    Jos joku on vaarassa juuri nyt, soita hätänumeroon 112.

    Kriisipuhelin (MIELI), joka päivä ja yö: 09 2525 0111
    Lähisuhdeväkivalta (Nollalinja), aina auki, maksuton: 080 005 005
    Lasten ja nuorten puhelin (MLL), maksuton: 116 111

    Näihin numeroihin voit soittaa kertomatta nimeäsi.

cmd-start = Aloita ja päävalikko
cmd-menu = Päävalikko
cmd-services = Selaa kaikkia palveluja
cmd-help = Mitä botti tekee
cmd-language = Vaihda kieli
cmd-privacy = Mitä minusta tallennetaan
cmd-mydata = Näytä tallennetut tietoni
cmd-delete = Poista kaikki tietoni
