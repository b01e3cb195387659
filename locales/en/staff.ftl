## Staff tools.

staff-flags-title = <b>Cards families reported as wrong</b>
staff-flags-none = No open reports. Thank you for keeping the information right!
staff-flags-line = • { $service }: { $reason } ({ $count }×, latest { $date })
staff-flags-fixed = ✅ Fixed: { $service }
staff-flags-resolved = { $count ->
    [one] One report marked as handled.
   *[other] { $count } reports marked as handled.
}
