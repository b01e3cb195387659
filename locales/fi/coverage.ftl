## `valo-bot catalog coverage`: kuntien keskeiset perhepalvelut (henkilöstölle).

coverage-intro = Keskeiset perhepalvelut kunnittain palveluluettelon ja tiedoston services_catalog/coverage.yaml mukaan.
coverage-legend = L: kortti, jolla on toimipaikka kunnassa, R: alueellinen kortti (esim. hyvinvointialueen), N: valtakunnallinen kortti, –: ei tarjolla täällä (alla oleva taulukko kertoo lähteen ja lähimmän vaihtoehdon), ?: EI TARKISTETTU (kukaan ei ole vielä tarkistanut; perhe voi kysyä hyvinvointialueen neuvontapuhelimesta).
coverage-municipality = Kunta
coverage-cards = Kortit tai syy, miksi niitä ei ole
coverage-reach-local = paikallinen
coverage-reach-regional = alueellinen
coverage-reach-nationwide = valtakunnallinen
coverage-not-offered = ei tarjolla täällä ({ $source }); lähin: `{ $alternative }`
coverage-not-verified = EI TARKISTETTU: perhe voi kysyä hyvinvointialueen neuvontapuhelimesta, `{ $advice }`
coverage-not-verified-no-advice = EI TARKISTETTU, eikä hyvinvointialueen neuvontapuhelimella ole vielä korttia
