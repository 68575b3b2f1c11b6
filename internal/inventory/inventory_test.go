package inventory

import (
	"errors"
	"fmt"
	"testing"
)

func TestParseAction(t *testing.T) {
	for in, want := range map[string]Action{"": ActionAssign, "assign": ActionAssign, " Reassign ": ActionReassign, "UNASSIGN": ActionUnassign, "delete": ActionDelete} {
		if got, err := ParseAction(in); err != nil || got != want {
			t.Errorf("ParseAction(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"remove", "assign!", "re assign x"} {
		if _, err := ParseAction(in); ErrorCode(err) != CodeInvalidAction {
			t.Errorf("ParseAction(%q): %v, want invalid_action", in, err)
		}
	}
}

func TestParseExtensionType(t *testing.T) {
	for in, want := range map[string]ExtensionType{"user": ExtUser, "Call Queue": ExtCallQueue, "auto-receptionist": ExtAutoReceptionist, " COMMON_AREA ": ExtCommonArea, "room": ExtRoom} {
		if got, err := ParseExtensionType(in); err != nil || got != want {
			t.Errorf("ParseExtensionType(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseExtensionType("robot"); ErrorCode(err) != CodeInvalidField {
		t.Errorf("robot: %v", err)
	}
}

func TestExtensionValidate(t *testing.T) {
	cases := []struct {
		e    Extension
		want Code
	}{
		{Extension{Type: ExtUser, Name: "Ann", Email: "ann@example.com"}, ""},
		{Extension{ExtensionNumber: "1001", Type: ExtRoom, Name: "Board"}, ""},
		{Extension{ExtensionNumber: "1", Type: ExtRoom, Name: "Board"}, CodeInvalidField},
		{Extension{ExtensionNumber: "12a4", Type: ExtRoom, Name: "Board"}, CodeInvalidField},
		{Extension{Type: ExtRoom}, CodeMissingField},
		{Extension{Type: ExtUser, Name: "No Mail"}, CodeMissingField},
		{Extension{Type: ExtUser, Name: "Bad", Email: "bad@"}, CodeInvalidField},
		{Extension{Type: ExtRoom, Name: "Tab\there"}, CodeInvalidField},
		{Extension{Type: "robot", Name: "R2"}, CodeInvalidField},
	}
	for _, c := range cases {
		if got := ErrorCode(c.e.Validate()); got != c.want {
			t.Errorf("%+v: %q, want %q", c.e, got, c.want)
		}
	}
}

func TestEmergencyAddressValidate(t *testing.T) {
	ok := EmergencyAddress{Street: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, mutate := range []func(*EmergencyAddress){
		func(a *EmergencyAddress) { a.Street = " " },
		func(a *EmergencyAddress) { a.City = "" },
		func(a *EmergencyAddress) { a.PostalCode = "" },
		func(a *EmergencyAddress) { a.Country = "" },
		func(a *EmergencyAddress) { a.Country = "usa" },
	} {
		a := ok
		mutate(&a)
		if code := ErrorCode(a.Validate()); code != CodeMissingField && code != CodeInvalidField {
			t.Errorf("%+v: %q", a, code)
		}
	}
}

func TestRoles(t *testing.T) {
	cases := []struct {
		r, other Role
		grant    bool
	}{
		{RoleOwner, RoleOwner, true}, {RoleOwner, RoleViewer, true},
		{RoleAdmin, RoleOwner, false}, {RoleAdmin, RoleAdmin, true}, {RoleAdmin, RoleViewer, true},
		{RoleViewer, RoleViewer, false}, {RoleOwner, "root", false},
	}
	for _, c := range cases {
		if got := c.r.CanGrant(c.other); got != c.grant {
			t.Errorf("%s grants %s: %v", c.r, c.other, got)
		}
	}
	if RoleViewer.CanWrite() || !RoleAdmin.CanWrite() || !RoleOwner.CanWrite() {
		t.Error("CanWrite")
	}
}

func TestErrorCode(t *testing.T) {
	e := Errorf(CodeNumberNotFound, "%s is gone", "+16505550100")
	wrapped := fmt.Errorf("assign: %w", e)
	if ErrorCode(wrapped) != CodeNumberNotFound || ErrorMessage(wrapped) != "+16505550100 is gone" {
		t.Errorf("wrapped: %q %q", ErrorCode(wrapped), ErrorMessage(wrapped))
	}
	if ErrorCode(errors.New("boom")) != CodeInternal || ErrorCode(nil) != "" {
		t.Error("plain errors are internal, nil has no code")
	}
	if !Outcome("already_assigned").Failed() || OutcomeUnchanged.Failed() || OutcomeReserved.Failed() {
		t.Error("Outcome.Failed")
	}
	if !StatusAssigned.Active() || StatusReserved.Active() || Status("lost").Valid() {
		t.Error("Status")
	}
}
