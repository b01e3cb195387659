## The printable card of a service path (issue #25): a professional prints it for a family without Telegram.

guide-print-title = Services for your family
guide-print-intro = These services can help your family. Each one says what you can do first. The phone numbers and addresses are below.
guide-print-steps = Services
guide-print-events = Upcoming events
guide-print-event-when = When: { $when }
guide-print-event-where = Where: { $place }
guide-print-qr = Scan the code with your phone. The services open in Valo, on Telegram.
guide-print-qr-label = QR code: link to Valo
guide-print-more = More services and events are on Telegram: scan the code.
guide-print-made = Made on { $date }
guide-print-valid = The link works until { $date }.
