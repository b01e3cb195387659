## Staff tools.

staff-flags-title = <b>Cards families reported as wrong</b>
staff-flags-none = No open reports. Thank you for keeping the information right!
staff-flags-line = • { $service }: { $reason } ({ $count }×, latest { $date })
staff-flags-fixed = ✅ Fixed: { $service }
staff-flags-resolved = { $count ->
    [one] One report marked as handled.
   *[other] { $count } reports marked as handled.
}

# Sent once to every staff member when the nightly PTV sync has failed PTV_SYNC_ALERT_AFTER times in a row.
ptv-sync-failing =
    ⚠️ The nightly update from the Suomi.fi service catalogue is failing.
    Failed updates in a row: { $failures }.
    Families still see the last information that came through. Ask the administrator to check the worker's log.
