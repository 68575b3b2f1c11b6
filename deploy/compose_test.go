package deploy

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// composeFile is the part of docker-compose.yml the tests read.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image       string       `yaml:"image"`
	Build       any          `yaml:"build"`
	Command     words        `yaml:"command"`
	Environment environment  `yaml:"environment"`
	DependsOn   dependsOn    `yaml:"depends_on"`
	Volumes     []mount      `yaml:"volumes"`
	Healthcheck *healthcheck `yaml:"healthcheck"`
}

type healthcheck struct {
	Test words `yaml:"test"`
}

// words is a command: a list of strings, or one string split as a shell would.
type words []string

func (w *words) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		ws, err := splitWords(n.Value)
		if err != nil {
			return fmt.Errorf("line %d: %v", n.Line, err)
		}
		*w = ws
		return nil
	case yaml.SequenceNode:
		var l []string
		if err := n.Decode(&l); err != nil {
			return err
		}
		*w = l
		return nil
	}
	return fmt.Errorf("line %d: want a string or a list of strings", n.Line)
}

// environment is a service's variables, from a map or a list of NAME=value.
type environment map[string]string

func (e *environment) UnmarshalYAML(n *yaml.Node) error {
	*e = environment{}
	switch n.Kind {
	case yaml.MappingNode:
		var m map[string]*string
		if err := n.Decode(&m); err != nil {
			return err
		}
		for k, v := range m {
			if v != nil {
				(*e)[k] = *v
			} else {
				(*e)[k] = ""
			}
		}
		return nil
	case yaml.SequenceNode:
		var l []string
		if err := n.Decode(&l); err != nil {
			return err
		}
		for _, kv := range l {
			k, v, _ := strings.Cut(kv, "=")
			(*e)[k] = v
		}
		return nil
	}
	return fmt.Errorf("line %d: want a map or a list of NAME=value", n.Line)
}

// dependsOn maps each service depended on to its condition ("" in the
// short, list form).
type dependsOn map[string]string

func (d *dependsOn) UnmarshalYAML(n *yaml.Node) error {
	*d = dependsOn{}
	switch n.Kind {
	case yaml.SequenceNode:
		var l []string
		if err := n.Decode(&l); err != nil {
			return err
		}
		for _, s := range l {
			(*d)[s] = ""
		}
		return nil
	case yaml.MappingNode:
		var m map[string]struct {
			Condition string `yaml:"condition"`
		}
		if err := n.Decode(&m); err != nil {
			return err
		}
		for k, v := range m {
			(*d)[k] = v.Condition
		}
		return nil
	}
	return fmt.Errorf("line %d: want a list of services or a map", n.Line)
}

// mount is one entry of a service's volumes, short ("src:dst[:mode]") or
// long form. Bind is true when Source is a host path.
type mount struct {
	Source, Target string
	Bind           bool
}

func (m *mount) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		parts := strings.Split(n.Value, ":")
		if len(parts) < 2 || len(parts) > 3 {
			return fmt.Errorf("line %d: volume %q: want source:target[:mode]", n.Line, n.Value)
		}
		m.Source, m.Target = parts[0], parts[1]
		m.Bind = strings.HasPrefix(m.Source, ".") || strings.HasPrefix(m.Source, "/") || strings.HasPrefix(m.Source, "~")
		return nil
	case yaml.MappingNode:
		var l struct{ Type, Source, Target string }
		if err := n.Decode(&l); err != nil {
			return err
		}
		m.Source, m.Target, m.Bind = l.Source, l.Target, l.Type == "bind"
		return nil
	}
	return fmt.Errorf("line %d: want a volume string or map", n.Line)
}

// readCompose reads the repository's docker-compose.yml.
func readCompose(tb testing.TB) composeFile {
	tb.Helper()
	var c composeFile
	mustReadYAML(tb, "docker-compose.yml", &c)
	if len(c.Services) == 0 {
		tb.Fatal("docker-compose.yml: no services")
	}
	return c
}

// mountOf returns the target where service s mounts the repository path
// src (e.g. "deploy/prometheus"), or "".
func (s composeService) mountOf(src string) string {
	for _, m := range s.Volumes {
		if m.Bind && filepath.Clean(m.Source) == filepath.Clean(src) {
			return m.Target
		}
	}
	return ""
}

func TestComposeServices(t *testing.T) {
	c := readCompose(t)
	root := repoRoot(t)
	for _, name := range slices.Sorted(maps.Keys(c.Services)) {
		s := c.Services[name]
		if s.Image == "" && s.Build == nil {
			t.Errorf("service %s: has neither image nor build", name)
		}
		if s.Build != nil && len(s.Command) == 0 {
			t.Errorf("service %s: built from the Dockerfile, which has no CMD: it needs a command", name)
		}
		for dep, cond := range s.DependsOn {
			d, ok := c.Services[dep]
			switch {
			case !ok:
				t.Errorf("service %s: depends_on %s, which is not a service", name, dep)
			case cond == "service_healthy" && (d.Healthcheck == nil || len(d.Healthcheck.Test) == 0):
				t.Errorf("service %s: waits for %s to be healthy, which has no healthcheck", name, dep)
			}
		}
		for _, m := range s.Volumes {
			if !m.Bind {
				if _, ok := c.Volumes[m.Source]; !ok {
					t.Errorf("service %s: volume %s is not declared under the top-level volumes", name, m.Source)
				}
				continue
			}
			if filepath.IsAbs(m.Source) || strings.HasPrefix(m.Source, "~") {
				t.Errorf("service %s: mounts %s, outside the repository", name, m.Source)
				continue
			}
			if _, err := os.Stat(filepath.Join(root, m.Source)); err != nil {
				t.Errorf("service %s: mounts %s, which is not in the repository: %v", name, m.Source, err)
			}
		}
	}
}

func TestComposeRedis(t *testing.T) {
	c := readCompose(t)
	r, ok := c.Services["redis"]
	if !ok {
		t.Fatal("docker-compose.yml: no redis service")
	}
	cmd := strings.Join(r.Command, " ")
	if !strings.Contains(cmd, "--appendonly yes") {
		t.Errorf("redis command %q: want --appendonly yes (a restart must not lose acknowledged changes)", cmd)
	}
	if r.Healthcheck == nil || len(r.Healthcheck.Test) == 0 {
		t.Error("redis: no healthcheck (the other services wait for it to be healthy)")
	}
	if !slices.ContainsFunc(r.Volumes, func(m mount) bool { return m.Target == "/data" }) {
		t.Error("redis: /data, where its append-only file lives, is not on a volume")
	}
}
