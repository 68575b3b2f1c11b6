package httpapi

import (
	"context"
	"log/slog"
	"time"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/numberdesk/numberdesk/internal/store"
	"github.com/prometheus/client_golang/prometheus"
)

// StateCollector exports the inventory's state, summed over all accounts,
// when scraped: numberdesk_numbers{status} and
// numberdesk_port_orders{status}. Its labels are statuses only (never
// account ids or numbers).
type StateCollector struct {
	Store  *store.Store
	Logger *slog.Logger

	numbers, ports *prometheus.Desc
}

// NewStateCollector returns the collector of st's state.
func NewStateCollector(st *store.Store, logger *slog.Logger) *StateCollector {
	return &StateCollector{
		Store: st, Logger: logger,
		numbers: prometheus.NewDesc("numberdesk_numbers", "Numbers in the inventories, by status.", []string{"status"}, nil),
		ports:   prometheus.NewDesc("numberdesk_port_orders", "Port orders (each account's newest 10,000), by status.", []string{"status"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *StateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.numbers
	ch <- c.ports
}

// Collect implements prometheus.Collector.
func (c *StateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ids, err := c.Store.AccountIDs(ctx)
	if err != nil {
		c.Logger.Warn("metrics: list accounts", "err", err)
		return
	}
	nums := map[inventory.Status]int64{}
	ports := map[string]int{}
	for _, id := range ids {
		a, err := c.Store.Account(ctx, id)
		if err != nil {
			continue // deleted meanwhile
		}
		nums[inventory.StatusAssigned] += a.Numbers.Assigned
		nums[inventory.StatusUnassigned] += a.Numbers.Unassigned
		nums[inventory.StatusReserved] += a.Numbers.Reserved
		nums[inventory.StatusPorting] += a.Numbers.Porting
		pc, err := c.Store.PortCounts(ctx, id)
		if err != nil {
			c.Logger.Warn("metrics: count port orders", "account_id", id, "err", err)
			continue
		}
		for st, n := range pc {
			ports[st] += n
		}
	}
	for _, st := range inventory.Statuses {
		ch <- prometheus.MustNewConstMetric(c.numbers, prometheus.GaugeValue, float64(nums[st]), string(st))
	}
	for _, st := range portStatuses {
		ch <- prometheus.MustNewConstMetric(c.ports, prometheus.GaugeValue, float64(ports[st]), st)
	}
}
