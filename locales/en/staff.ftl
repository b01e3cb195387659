## Staff tools.

staff-flags-title = <b>Cards families reported as wrong</b>
staff-flags-none = No open reports. Thank you for keeping the information right!
staff-flags-line = • { $service }: { $reason } ({ $count }×, latest { $date })
staff-flags-fixed = ✅ Fixed: { $service }
staff-flags-resolved = { $count ->
    [one] One report marked as handled.
   *[other] { $count } reports marked as handled.
}

## Curated texts to check: Suomi.fi changed a fact or text they are written for.
staff-reviews-title = <b>Translations to check</b>
staff-reviews-intro = These facts changed in the Suomi.fi service catalogue. Families already see the new contact details and opening hours. Check these cards' own texts: Arabic, English, and plain Finnish if the card has one.
staff-reviews-line = • { $service }: { $field }: { $old } → { $new } ({ $date })
staff-reviews-more = { $count ->
    [one] …and one more.
   *[other] …and { $count } more.
}
staff-reviews-done = ✅ Checked: { $service }, { $field }
staff-reviews-marked = Marked as checked.
staff-reviews-gone = This change was already marked as checked.
staff-review-field-name = name
staff-review-field-summary = summary
staff-review-field-description = description
staff-review-field-phone = phone
staff-review-field-address = address
staff-review-field-hours = opening hours
staff-review-empty = (none)

# Sent once to every staff member when the nightly PTV sync has failed PTV_SYNC_ALERT_AFTER times in a row.
ptv-sync-failing =
    ⚠️ The nightly update from the Suomi.fi service catalogue is failing.
    Failed updates in a row: { $failures }.
    Families still see the last information that came through. Ask the administrator to check the worker's log.
