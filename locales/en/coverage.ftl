## `valo-bot catalog coverage`: the core family services of each municipality (for staff).

coverage-intro = Core family services by municipality, from the catalogue and services_catalog/coverage.yaml.
coverage-legend = L: a card with a place in the municipality, R: a regional card (e.g. the wellbeing services county's), N: a nationwide card, –: not offered here (the table below gives the source and the nearest alternative), ?: NOT VERIFIED (nobody has checked yet; families can ask the county's advice line).
coverage-municipality = Municipality
coverage-cards = Cards, or why there is none
coverage-reach-local = local
coverage-reach-regional = regional
coverage-reach-nationwide = nationwide
coverage-not-offered = not offered here ({ $source }); nearest: `{ $alternative }`
coverage-not-verified = NOT VERIFIED: families can ask the county's advice line, `{ $advice }`
coverage-not-verified-no-advice = NOT VERIFIED, and the county has no advice line card yet
