package deploy

import (
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// promConfig is the part of prometheus.yml the tests read.
type promConfig struct {
	RuleFiles     []string `yaml:"rule_files"`
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		MetricsPath   string `yaml:"metrics_path"`
		StaticConfigs []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
		DNSSDConfigs []struct {
			Names []string `yaml:"names"`
			Type  string   `yaml:"type"`
			Port  int      `yaml:"port"`
		} `yaml:"dns_sd_configs"`
	} `yaml:"scrape_configs"`
}

// ruleFile is a Prometheus rule file.
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Record      string            `yaml:"record"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

const promDir = "deploy/prometheus"

// promDuration is Prometheus's duration syntax: 30s, 5m, 1h30m.
var promDuration = regexp.MustCompile(`^([0-9]+(ms|s|m|h|d|w|y))+$`)

// listenPorts returns the ports a numberdesk command line listens on: the
// values of --addr and --metrics-addr.
func listenPorts(args []string) []string {
	var ports []string
	for i, a := range args {
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || (name != "addr" && name != "metrics-addr") {
			continue
		}
		if !hasVal && i+1 < len(args) {
			val = args[i+1]
		}
		if _, port, err := net.SplitHostPort(val); err == nil {
			ports = append(ports, port)
		}
	}
	return ports
}

func TestPrometheusConfig(t *testing.T) {
	var cfg promConfig
	mustReadYAML(t, filepath.Join(promDir, "prometheus.yml"), &cfg)
	root := repoRoot(t)
	if len(cfg.RuleFiles) == 0 {
		t.Error("prometheus.yml: no rule_files")
	}
	for _, rf := range cfg.RuleFiles {
		// Paths are relative to prometheus.yml and may be globs.
		matches, err := filepath.Glob(filepath.Join(root, promDir, rf))
		if err != nil || len(matches) == 0 {
			t.Errorf("prometheus.yml: rule_files entry %s matches no file in %s", rf, promDir)
		}
	}

	compose := readCompose(t)
	jobs := map[string]bool{}
	for _, sc := range cfg.ScrapeConfigs {
		if jobs[sc.JobName] {
			t.Errorf("prometheus.yml: job %s given twice", sc.JobName)
		}
		jobs[sc.JobName] = true
		if sc.MetricsPath != "" && sc.MetricsPath != "/metrics" {
			t.Errorf("job %s: metrics_path %s; numberdesk serves /metrics", sc.JobName, sc.MetricsPath)
		}
		var targets []string
		for _, st := range sc.StaticConfigs {
			targets = append(targets, st.Targets...)
		}
		for _, dns := range sc.DNSSDConfigs {
			if dns.Type != "A" {
				t.Errorf("job %s: dns_sd_configs type %q; compose services resolve as A records", sc.JobName, dns.Type)
			}
			for _, n := range dns.Names {
				targets = append(targets, net.JoinHostPort(n, strconv.Itoa(dns.Port)))
			}
		}
		if len(targets) == 0 {
			t.Errorf("job %s: no targets", sc.JobName)
		}
		// Each target is a compose service listening on that port.
		for _, target := range targets {
			host, port, err := net.SplitHostPort(target)
			if err != nil {
				t.Errorf("job %s: target %s: %v", sc.JobName, target, err)
				continue
			}
			s, ok := compose.Services[host]
			if !ok {
				t.Errorf("job %s: target %s: no compose service %s", sc.JobName, target, host)
				continue
			}
			if ports := listenPorts(s.Command); !slices.Contains(ports, port) {
				t.Errorf("job %s: target %s: service %s listens on %v, not %s (command %q)", sc.JobName, target, host, ports, port, s.Command)
			}
		}
	}
	for _, want := range []string{"api", "worker", "scheduler"} {
		if !jobs[want] {
			t.Errorf("prometheus.yml: no scrape job %s", want)
		}
	}

	// Compose mounts this directory where the image reads its configuration.
	if p, ok := compose.Services["prometheus"]; !ok {
		t.Error("docker-compose.yml: no prometheus service")
	} else if got := p.mountOf("./" + promDir); got != "/etc/prometheus" {
		t.Errorf("prometheus service mounts ./%s at %q, want /etc/prometheus (the image's --config.file is /etc/prometheus/prometheus.yml)", promDir, got)
	}
}

func TestAlertRules(t *testing.T) {
	var cfg promConfig
	mustReadYAML(t, filepath.Join(promDir, "prometheus.yml"), &cfg)
	root := repoRoot(t)
	var files []string
	for _, rf := range cfg.RuleFiles {
		m, _ := filepath.Glob(filepath.Join(root, promDir, rf))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no rule files")
	}
	names := map[string]bool{}
	rules := 0
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		var rf ruleFile
		mustReadYAML(t, rel, &rf)
		if len(rf.Groups) == 0 {
			t.Errorf("%s: no rule groups", rel)
		}
		for _, g := range rf.Groups {
			if g.Name == "" || len(g.Rules) == 0 {
				t.Errorf("%s: group %q: want a name and rules", rel, g.Name)
			}
			for i, r := range g.Rules {
				rules++
				id := r.Alert
				if id == "" {
					id = g.Name + "[" + strconv.Itoa(i) + "]"
					t.Errorf("%s: rule %s: no alert name", rel, id)
				}
				if names[r.Alert] {
					t.Errorf("%s: alert %s given twice", rel, r.Alert)
				}
				names[r.Alert] = true
				if !promDuration.MatchString(r.For) {
					t.Errorf("%s: alert %s: for %q, want a duration such as 5m", rel, id, r.For)
				}
				if sev := r.Labels["severity"]; sev != "critical" && sev != "warning" && sev != "info" {
					t.Errorf("%s: alert %s: labels.severity %q, want critical, warning or info", rel, id, sev)
				}
				for _, a := range []string{"summary", "description"} {
					if strings.TrimSpace(r.Annotations[a]) == "" {
						t.Errorf("%s: alert %s: no annotations.%s", rel, id, a)
					}
				}
				if strings.TrimSpace(r.Expr) == "" {
					t.Errorf("%s: alert %s: no expr", rel, id)
				} else if _, err := checkQuery(r.Expr); err != nil {
					t.Errorf("%s: alert %s: expr: %v", rel, id, err)
				}
			}
		}
	}
	if rules == 0 {
		t.Error("no alert rules")
	}
}
