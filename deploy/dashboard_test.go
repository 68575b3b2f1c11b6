package deploy

import (
	"encoding/json"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const grafanaDir = "deploy/grafana"

type grafanaDatasource struct {
	Type string `json:"type" yaml:"type"`
	UID  string `json:"uid" yaml:"uid"`
}

// dashboard is the part of a Grafana dashboard the tests read.
type dashboard struct {
	UID    string  `json:"uid"`
	Title  string  `json:"title"`
	Panels []panel `json:"panels"`
}

type panel struct {
	ID         int                `json:"id"`
	Type       string             `json:"type"`
	Title      string             `json:"title"`
	Datasource *grafanaDatasource `json:"datasource"`
	Targets    []struct {
		Expr       string             `json:"expr"`
		RefID      string             `json:"refId"`
		Datasource *grafanaDatasource `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // of a collapsed row
}

// provisionedDatasource returns the Prometheus datasource Grafana is
// provisioned with, checking that it points at the compose Prometheus.
func provisionedDatasource(t *testing.T) grafanaDatasource {
	t.Helper()
	var f struct {
		Datasources []struct {
			grafanaDatasource `yaml:",inline"`
			Name              string `yaml:"name"`
			URL               string `yaml:"url"`
		} `yaml:"datasources"`
	}
	mustReadYAML(t, filepath.Join(grafanaDir, "provisioning/datasources/prometheus.yml"), &f)
	for _, d := range f.Datasources {
		if d.Name != "Prometheus" {
			continue
		}
		if d.Type != "prometheus" || d.UID == "" {
			t.Errorf("datasource Prometheus: type %q uid %q, want type prometheus and a fixed uid", d.Type, d.UID)
		}
		u, err := url.Parse(d.URL)
		if err != nil {
			t.Fatalf("datasource Prometheus: url %q: %v", d.URL, err)
		}
		if u.Host != "prometheus:9090" {
			t.Errorf("datasource Prometheus: url %q, want http://prometheus:9090", d.URL)
		}
		if _, ok := readCompose(t).Services[u.Hostname()]; !ok {
			t.Errorf("datasource Prometheus: url %q: no compose service %s", d.URL, u.Hostname())
		}
		return d.grafanaDatasource
	}
	t.Fatal("no datasource named Prometheus")
	return grafanaDatasource{}
}

func TestGrafanaProvisioning(t *testing.T) {
	provisionedDatasource(t)
	var f struct {
		Providers []struct {
			Name    string `yaml:"name"`
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	mustReadYAML(t, filepath.Join(grafanaDir, "provisioning/dashboards/numberdesk.yml"), &f)
	if len(f.Providers) != 1 || f.Providers[0].Type != "file" {
		t.Fatalf("dashboard providers %+v, want one of type file", f.Providers)
	}
	g, ok := readCompose(t).Services["grafana"]
	if !ok {
		t.Fatal("docker-compose.yml: no grafana service")
	}
	// The provider reads the directory compose mounts the dashboards at.
	if got, want := g.mountOf("./"+grafanaDir+"/dashboards"), f.Providers[0].Options.Path; got != want {
		t.Errorf("grafana service mounts ./%s/dashboards at %q; the provider reads %q", grafanaDir, got, want)
	}
	if got := g.mountOf("./" + grafanaDir + "/provisioning"); got != "/etc/grafana/provisioning" {
		t.Errorf("grafana service mounts ./%s/provisioning at %q, want /etc/grafana/provisioning", grafanaDir, got)
	}
}

func TestDashboard(t *testing.T) {
	ds := provisionedDatasource(t)
	files, _ := filepath.Glob(filepath.Join(repoRoot(t), grafanaDir, "dashboards", "*.json"))
	if len(files) == 0 {
		t.Fatal("no dashboards")
	}
	used := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.UID == "" || d.Title == "" {
			t.Errorf("%s: want a uid and a title (links and provisioning rely on the uid)", name)
		}
		var panels []panel
		for _, p := range d.Panels {
			panels = append(panels, p)
			panels = append(panels, p.Panels...)
		}
		ids := map[int]bool{}
		graphs := 0
		for _, p := range panels {
			if ids[p.ID] {
				t.Errorf("%s: panel id %d given twice", name, p.ID)
			}
			ids[p.ID] = true
			if p.Type == "row" {
				continue
			}
			graphs++
			if p.Title == "" {
				t.Errorf("%s: panel %d has no title", name, p.ID)
			}
			if p.Datasource == nil || *p.Datasource != ds {
				t.Errorf("%s: panel %q: datasource %v, want the provisioned %v", name, p.Title, p.Datasource, ds)
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: panel %q has no queries", name, p.Title)
			}
			refs := map[string]bool{}
			for _, q := range p.Targets {
				if q.RefID == "" || refs[q.RefID] {
					t.Errorf("%s: panel %q: refId %q empty or given twice", name, p.Title, q.RefID)
				}
				refs[q.RefID] = true
				if q.Datasource != nil && *q.Datasource != ds {
					t.Errorf("%s: panel %q: query %s: datasource %v, want the provisioned %v", name, p.Title, q.RefID, q.Datasource, ds)
				}
				metrics, err := checkQuery(q.Expr)
				if err != nil {
					t.Errorf("%s: panel %q: query %s %q: %v", name, p.Title, q.RefID, q.Expr, err)
				}
				for _, m := range metrics {
					for _, suffix := range []string{"_bucket", "_sum", "_count"} {
						if base, ok := strings.CutSuffix(m, suffix); ok && knownMetrics[base] == histogram {
							m = base
						}
					}
					used[m] = true
				}
			}
		}
		if graphs == 0 {
			t.Errorf("%s: no panels", name)
		}
	}
	// Every metric the services export has a panel.
	for _, m := range slices.Sorted(maps.Keys(knownMetrics)) {
		if !used[m] {
			t.Errorf("no dashboard panel shows %s", m)
		}
	}
}
