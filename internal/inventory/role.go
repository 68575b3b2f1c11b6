package inventory

// Role is what a token may do in its account.
type Role string

// The roles. An owner does everything; an admin manages numbers,
// extensions, sites and tokens other than owner tokens; a viewer reads.
const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleViewer Role = "viewer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleOwner || r == RoleAdmin || r == RoleViewer }

// CanWrite reports whether the role may change state.
func (r Role) CanWrite() bool { return r == RoleOwner || r == RoleAdmin }

// CanGrant reports whether a token of role r may create a token of role other.
func (r Role) CanGrant(other Role) bool {
	switch r {
	case RoleOwner:
		return other.Valid()
	case RoleAdmin:
		return other == RoleAdmin || other == RoleViewer
	}
	return false
}
