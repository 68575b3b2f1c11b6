// Package deploy holds the files that run and watch Numberdesk outside Go:
// Prometheus's scrape configuration and alert rules (prometheus/), and
// Grafana's provisioning and dashboard (grafana/). The repository's
// docker-compose.yml and Procfile start the processes that they watch.
//
// The package has no code; its tests keep these files honest. They parse
// docker-compose.yml, the Procfile, the Prometheus files and the dashboard,
// check that what one file names exists in another (services, mounted
// paths, scrape ports, the datasource), that every metric an alert or a
// panel queries is one the services export (knownMetrics), and, with the
// numberdesk binary built once, that every `numberdesk <command> --flag`
// of the compose file and the Procfile is a command with that flag.
package deploy
