package csv

import (
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/numberdesk/numberdesk/internal/inventory"
)

// erow is an ExtensionRow as tests compare it.
type erow struct {
	Line  int
	Ext   string
	Type  string
	Name  string
	Email string
	Site  string
	Code  inventory.Code
}

func decodeExtensions(tb testing.TB, in string) ([]erow, error) {
	tb.Helper()
	d, err := NewExtensionDecoder(strings.NewReader(in), Options{})
	if err != nil {
		return nil, err
	}
	var rows []erow
	for {
		r, err := d.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			tb.Fatalf("Next: %v", err)
		}
		rows = append(rows, erow{r.Line, r.ExtensionNumber, r.Type, r.Name, r.Email, r.Site, inventory.ErrorCode(r.Err)})
	}
}

func TestExtensionRows(t *testing.T) {
	const header = "extension_number,type,name,email,site\n"
	tests := []struct {
		name string
		row  string
		want erow
	}{
		{"user", "1001,user,Jane Doe,jane@example.com,HQ", erow{2, "1001", "user", "Jane Doe", "jane@example.com", "HQ", ""}},
		{"number allocated", ",room,Board Room,,", erow{2, "", "room", "Board Room", "", "", ""}},
		{"type with space", "2001,Call Queue,Sales,,", erow{2, "2001", "call_queue", "Sales", "", "", ""}},
		{"type upper", "2002,AUTO_RECEPTIONIST,Main,,", erow{2, "2002", "auto_receptionist", "Main", "", "", ""}},
		{"type hyphen", "2003,common-area,Lobby,,", erow{2, "2003", "common_area", "Lobby", "", "", ""}},
		{"type empty", "1001,,Jane,,", erow{2, "1001", "", "Jane", "", "", inventory.CodeMissingField}},
		{"type unknown", "1001,robot,Jane,,", erow{2, "1001", "robot", "Jane", "", "", inventory.CodeInvalidField}},
		{"name empty", "1001,user, ,,", erow{2, "1001", "user", "", "", "", inventory.CodeMissingField}},
		{"extension not digits", "ext1,user,Jane,,", erow{2, "ext1", "user", "Jane", "", "", inventory.CodeInvalidField}},
		{"extension too long", "123456789,user,Jane,,", erow{2, "123456789", "user", "Jane", "", "", inventory.CodeInvalidField}},
		{"email without at", "1001,user,Jane,jane.example.com,", erow{2, "1001", "user", "Jane", "jane.example.com", "", inventory.CodeInvalidField}},
		{"email with space", "1001,user,Jane,jane doe@example.com,", erow{2, "1001", "user", "Jane", "jane doe@example.com", "", inventory.CodeInvalidField}},
		{"wrong field count", "1001,user,Jane", erow{2, "", "", "", "", "", inventory.CodeInvalidField}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeExtensions(t, header+tt.row+"\n")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]erow{tt.want}, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExtensionHeaders(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []erow
		code inventory.Code
	}{
		{"aliases", "Ext;Extension Type;Display Name;E-Mail;Location\n1001;User;Jane;jane@example.com;HQ\n",
			[]erow{{2, "1001", "user", "Jane", "jane@example.com", "HQ", ""}}, ""},
		{"tabs, only required columns", "Type\tName\nroom\tBoard Room\n",
			[]erow{{2, "", "room", "Board Room", "", "", ""}}, ""},
		{"missing name", "type,email\nuser,a@example.com\n", nil, inventory.CodeMissingField},
		{"missing both", "ext,email\n", nil, inventory.CodeMissingField},
		{"number is not an extensions alias", "number,type,name\n1001,user,Jane\n",
			[]erow{{2, "", "user", "Jane", "", "", ""}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeExtensions(t, tt.in)
			if code := inventory.ErrorCode(err); code != tt.code {
				t.Fatalf("code = %q, want %q (err %v)", code, tt.code, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
	_, err := decodeExtensions(t, "ext,email\n")
	if msg := inventory.ErrorMessage(err); !strings.Contains(msg, "no type or name column") {
		t.Errorf("message %q does not name the missing columns", msg)
	}
}
