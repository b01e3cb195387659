"""The professional's guide (issue #25): service paths built with a family and handed over."""
