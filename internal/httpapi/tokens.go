package httpapi

import (
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
)

// CreateTokenRequest is the body of POST /v1/tokens.
type CreateTokenRequest struct {
	Role inventory.Role `json:"role"`
	Name string         `json:"name"`
}

// CreatedToken is a new token with its secret, which is shown only here.
type CreatedToken struct {
	store.Token
	// Secret is the token to send as Authorization: Bearer <token>.
	Secret string `json:"token"`
}

// TokenList is the body of GET /v1/tokens.
type TokenList struct {
	Tokens []store.Token `json:"tokens"`
}

func (a *api) createToken(c *call, in CreateTokenRequest) (CreatedToken, error) {
	role := inventory.Role(strings.ToLower(strings.TrimSpace(string(in.Role))))
	if role == "" {
		return CreatedToken{}, apiError(inventory.CodeMissingField, "role is required: owner, admin or viewer")
	}
	if !role.Valid() {
		return CreatedToken{}, apiError(inventory.CodeInvalidField, "role must be owner, admin or viewer")
	}
	if !c.token.Role.CanGrant(role) {
		return CreatedToken{}, apiError(inventory.CodeForbidden, "a "+string(c.token.Role)+" token may not create "+string(role)+" tokens")
	}
	tok, secret, err := a.store.CreateToken(c.ctx(), c.account(), strings.TrimSpace(in.Name), role)
	if err != nil {
		return CreatedToken{}, err
	}
	return CreatedToken{Token: tok, Secret: secret}, nil
}

func (a *api) listTokens(c *call) (TokenList, error) {
	toks, err := a.store.Tokens(c.ctx(), c.account())
	return TokenList{Tokens: toks}, err
}

// revokeToken revokes a token of the caller's account. A token may revoke
// only tokens of roles it could create: an admin cannot revoke an owner.
func (a *api) revokeToken(c *call) error {
	id := c.r.PathValue("id")
	toks, err := a.store.Tokens(c.ctx(), c.account())
	if err != nil {
		return err
	}
	for _, t := range toks {
		if t.ID != id {
			continue
		}
		if !c.token.Role.CanGrant(t.Role) {
			return apiError(inventory.CodeForbidden, "a "+string(c.token.Role)+" token may not revoke "+string(t.Role)+" tokens")
		}
		return a.store.RevokeToken(c.ctx(), c.account(), id)
	}
	return apiError(inventory.CodeNotFound, "token "+id+" not found")
}
