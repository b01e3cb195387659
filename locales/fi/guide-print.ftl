## Tulostettava kortti palvelupolusta (issue #25): ammattilainen tulostaa sen perheelle, jolla ei ole Telegramia.

guide-print-title = Palveluja perheellesi
guide-print-intro = Nämä palvelut voivat auttaa perhettäsi. Jokaisessa kohdassa lukee, mitä voit tehdä ensin. Puhelinnumerot ja osoitteet ovat alla.
guide-print-steps = Palvelut
guide-print-events = Tulevia tapahtumia
guide-print-event-when = Milloin: { $when }
guide-print-event-where = Missä: { $place }
guide-print-qr = Skannaa koodi puhelimella. Palvelut avautuvat Telegram-sovelluksessa Valo-botissa.
guide-print-qr-label = QR-koodi: linkki Valoon
guide-print-more = Muita palveluja ja tapahtumia löydät Telegramista: skannaa koodi.
guide-print-made = Tehty { $date }
guide-print-valid = Linkki toimii { $date } asti.
