package main

import (
	"time"

	"github.com/numberdesk/numberdesk/internal/carrier"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// newRegistry returns a metrics registry with the Go and process collectors.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// newCarrierClient returns the carrier client at url ("" : nil) whose
// attempts are observed in numberdesk_carrier_request_duration_seconds.
func newCarrierClient(url string, reg prometheus.Registerer) carrier.Carrier {
	if url == "" {
		return nil
	}
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "numberdesk_carrier_request_duration_seconds",
		Help:    "Time of one attempt of a carrier API call, by operation and outcome (ok, error, timeout, unreachable).",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"op", "outcome"})
	if err := reg.Register(h); err != nil {
		if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
			h = are.ExistingCollector.(*prometheus.HistogramVec)
		}
	}
	return carrier.NewClient(url, carrier.WithObserver(func(op, outcome string, d time.Duration) {
		h.WithLabelValues(op, outcome).Observe(d.Seconds())
	}))
}
