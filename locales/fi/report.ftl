## Indikaattoriraportti (valo-bot report, /stats): nimettömät istuntomäärät palvelumuotoilijoille.

report-title = Valon indikaattorit
report-period = { $first } – { $last }
report-scope-all = kaikki kunnat
report-scope-one = { $municipality }
report-made = laadittu { $date }
report-reading = Näin luet raporttia
report-about = Jokainen luku on istuntojen määrä: yksi perhe käy keskustelun läpi kerran tai tekee yhden toiminnon keskustelun ulkopuolella. Mikään tässä ei tunnista ketään: Valo tallentaa vain kysymysten, vaihtoehtojen ja palvelujen tunnukset, kuukauden ja satunnaisen istuntotunnuksen, joka unohdetaan keskustelun päättyessä, eikä mitään perheistä, jotka valitsivat ”älä laske vastauksiani”. Luvut, jotka ovat pienempiä kuin { $threshold }, on piilotettu, ja tarvittaessa myös muutama suurempi, jotta pientä lukua ei voi päätellä summista.
report-legend-small = alle viisi istuntoa (0–4), piilotettu, jotta ketään ei voi tunnistaa
report-legend-protecting = viisi tai enemmän, piilotettu, jotta alle viiden lukua ei voi päätellä summista
report-legend-withheld = ei julkaista: kuukausien summa, jossa jonkin kuukauden luku on piilotettu (tai laskettu kohtaan ”muut”), joten summakin on piilotettu
report-contents = Sisällys
report-footer = Valo laati tämän nimettömistä indikaattoritapahtumista. Luvut ovat istuntoja; alle viiden lukuja ei näytetä.
report-total = Yhteensä
report-no-data = Tällä jaksolla ei ole istuntoja.
report-chart-desc = Pylväskaavio. Samat luvut ovat sen vieressä olevassa taulukossa; piilotetut luvut on merkitty, ei piirretty.
report-chart-months = Kaavio näyttää taulukon yhteensä-rivin kuukausittain.
report-chart-row-totals = Kaavio näyttää kunkin rivin yhteensä-luvun.
report-chart-rate = Kaavio näyttää kunkin rivin yhteensä-luvun ja sarakkeen ”{ $rate }”.

report-other-municipalities = Muut kunnat
report-municipality-none = Ei kerrottu
report-other-sources = Muut linkit
report-source-none = Ei linkkiä (aloitettu botissa)
report-other-services = Muut palvelut
report-other-topics = Muut aiheet
report-locale-none = Tuntematon

report-kind-municipality = Kunta
report-kind-need = Tarve
report-kind-node = Kysymys
report-kind-locale = Kieli
report-kind-source = Linkki
report-kind-service = Palvelu
report-kind-action = Toiminto
report-kind-topic = Aihe
report-kind-figure = Luku

report-figure-sessions = Keskustelut
report-figure-results = Päätyi tuloksiin
report-figure-no-match = Tulokset ilman osumia
report-figure-finished = Loppuun asti
report-figure-abandoned = Jäi kesken

report-column-sessions = Istunnot
report-column-answered = Vastasi
report-column-skipped = Ohitti
report-column-left = Lopetti tähän
report-column-no-local = Ei omassa kunnassa
report-column-local = Löytyi omasta kunnasta
report-column-subscribed = Tilasi
report-column-unsubscribed = Perui tilauksen

report-action-card_location = Palvelun sijainti kysytty
report-action-card_flagged = Kortista ilmoitettu virhe
report-action-event_opened = Tapahtuma avattu
report-action-reminder_set = Muistutus asetettu
report-action-subscribed = Tiedotteet tilattu
report-action-unsubscribed = Tiedotteet peruttu

report-topic-art = Taidetapahtumat
report-topic-open-ecec = Avoin varhaiskasvatus
report-topic-family-cafe = Perhekahvilat
report-topic-all = Kaikki

report-rate-funnel = Keskeyttäneet
report-rate-gaps-by-need = Osuus ilman omaa palvelua

report-section-sessions = Valoa käyttäneet perheet
report-section-sessions-about = Aloitetut keskustelut perheen kertoman kunnan ja kuukauden mukaan.
report-section-needs = Tarpeet
report-section-needs-about = Mikä perheiden mukaan helpottaisi arkea. Perhe voi valita useita tarpeita, joten tarpeita on yhteensä enemmän kuin keskusteluja.
report-section-funnel = Kysymykset ja keskeyttäminen
report-section-funnel-about = Jokaisen keskustelun jokaisesta versiosta: moniko istunto pääsi kuhunkin kysymykseen, ja moniko vastasi siihen, ohitti sen tai lopetti keskustelun siihen.
report-section-gaps = Palveluaukot
report-section-gaps-about = Tarpeet, joihin tuloksissa ei ollut palvelua, jolla on toimipiste perheen omassa kunnassa (alueellisia ja valtakunnallisia palveluja on silti voitu näyttää).
report-section-services = Näytetyt palvelut ja kortit
report-section-services-about = Mitä palveluja perheille näytettiin, ja mistä korteista he ilmoittivat virheen.
report-section-actions = Muistutukset, tapahtumat ja tiedotteet
report-section-actions-about = Mitä perheet tekivät keskustelujen ulkopuolella. Jokainen toiminto lasketaan yhdeksi istunnoksi.
report-section-reach = Kielet ja linkit
report-section-reach-about = Keskustelujen kieli ja linkki, jonka kautta perhe tuli (julisteen tai kumppanin syvälinkki).

report-table-key-figures = Tunnusluvut
report-table-key-figures-about = Jakson keskustelut ja niiden päättyminen.
report-table-sessions-by-municipality = Keskustelut kunnittain ja kuukausittain
report-table-sessions-by-municipality-about = Kunnat, joissa oli jaksolla alle viisi keskustelua, on laskettu yhteen muihin kuntiin.
report-table-needs-by-municipality = Tarpeet kunnittain
report-table-needs-by-municipality-about = Istunnot, joissa tarve valittiin, perheen kunnan mukaan. Yhteensä-rivi laskee tarvevalinnat.
report-table-needs-by-month = Tarpeet kuukausittain
report-table-needs-by-month-about = Istunnot, joissa tarve valittiin, kuukausittain. Yhteensä-rivi laskee tarvevalinnat.
report-table-funnel = Keskustelu ”{ $tree }”, versio { $version }
report-table-funnel-about = Istunnot, jotka pääsivät kuhunkin kysymykseen (yhteensä), ja mitä niissä tehtiin. ”Keskeyttäneet” on niiden istuntojen osuus, jotka lopettivat keskustelun tähän kysymykseen.
report-table-gaps-by-need = Tarpeet, joihin löytyi tai ei löytynyt palvelua omasta kunnasta
report-table-gaps-by-need-about = Tuloksiin päässeet istunnot tarpeittain: löytyikö palvelu, jolla on toimipiste perheen kunnassa.
report-table-gaps-by-municipality = Tarpeet ilman omaa palvelua kunnittain
report-table-gaps-by-municipality-about = Istunnot, joiden tarpeeseen ei löytynyt palvelua omasta kunnasta, perheen kunnan mukaan. ”Ei kerrottu”: perhe ei kertonut asuinkuntaansa.
report-table-services-shown = Useimmin näytetyt palvelut
report-table-services-shown-about = Istunnot, joissa palvelu näytettiin (enintään 20 palvelua; vain vähintään viidessä istunnossa näytetyt). Istunnossa näytetään useita palveluja, joten yhteissummaa ei ole.
report-table-cards-flagged = Kortit, joista ilmoitettiin virhe
report-table-cards-flagged-about = Ilmoitukset virheellisestä tiedosta palvelukortissa. Palvelut, joista on alle viisi ilmoitusta, on laskettu yhteen.
report-table-actions-by-month = Toiminnot kuukausittain
report-table-actions-by-month-about = Asetetut muistutukset, avatut tapahtumat, kysytyt sijainnit, virheilmoitukset ja tiedotetilausten muutokset.
report-table-subscriptions = Tiedotetilaukset aiheittain
report-table-subscriptions-about = Tilaukset, jotka otettiin käyttöön tai peruttiin, aiheittain.
report-table-languages-by-month = Kielet kuukausittain
report-table-languages-by-month-about = Keskustelut sen kielen mukaan, jolla perhe käytti Valoa.
report-table-sources-by-month = Linkit kuukausittain
report-table-sources-by-month-about = Keskustelut sen syvälinkin mukaan, jonka kautta perhe tuli. Linkit, joista tuli alle viisi keskustelua, on laskettu yhteen.

## /stats botissa (vain henkilökunta)

stats-title = 📊 Valo: { $period } ({ $scope })
stats-sessions = Keskusteluja: { $sessions }. Päätyi tuloksiin: { $results }. Loppuun asti: { $finished }.
stats-needs = Useimmin valitut tarpeet: { $needs }
stats-gaps = Useimmin ilman omaa palvelua: { $needs }
stats-no-match = Tulokset kokonaan ilman osumia: { $count }
stats-legend = ”<5” tarkoittaa alle viittä ja ”..” lukua, joka on piilotettu pienen luvun suojaamiseksi; ketään ei voi tunnistaa. Koko raportti on tiedostossa.
stats-caption = Valon indikaattorit, { $period }. Avaa tiedosto selaimessa; sen voi myös tulostaa.
stats-bad-period = Anna kokonaiset kuukaudet muodossa VVVV-KK: /stats edelliselle kokonaiselle kuukaudelle, /stats 2026-03 yhdelle kuukaudelle tai /stats 2026-01 2026-06 jaksolle (päättyneet kuukaudet, enintään 60, ensimmäinen kuukausi ensin).
stats-report-language = Raporttitiedoston kieli: { $language }. Raportit tehdään suomeksi ja englanniksi.
