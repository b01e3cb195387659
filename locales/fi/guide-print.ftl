## Tulostettava kortti palvelupolusta (issue #25): ammattilainen tulostaa sen perheelle, jolla ei ole Telegramia.

guide-print-title = Palveluja perheellesi
guide-print-intro = Tässä ovat palvelut, joista puhuit ammattilaisen kanssa. Voit soittaa niihin tai mennä paikan päälle. Puhelinnumerot ja osoitteet ovat alla.
guide-print-steps = Palvelut
guide-print-events = Tulevia tapahtumia
guide-print-event-when = Milloin: { $when }
guide-print-event-where = Missä: { $place }
guide-print-qr = Skannaa koodi puhelimella. Palvelut aukeavat Valossa, Telegramissa.
guide-print-qr-label = QR-koodi: linkki Valoon
guide-print-more = Muita palveluja ja tapahtumia löydät Telegramista: skannaa koodi.
guide-print-made = Tehty { $date }
guide-print-valid = Linkki toimii { $date } asti.
