package worker

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the worker's Prometheus metrics. Labels are bounded: task
// types, results and import kinds, never ids or numbers.
type Metrics struct {
	JobDuration *prometheus.HistogramVec
	Jobs        *prometheus.CounterVec
	ImportRows  *prometheus.CounterVec
	// Replans counts import chunks planned again because the inventory
	// changed between their plan and their commit.
	Replans prometheus.Counter
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		JobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "numberdesk_job_duration_seconds",
			Help:    "How long tasks take, by task type.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}, []string{"type"}),
		Jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "numberdesk_jobs_total",
			Help: "Tasks run, by task type and result (ok, retry, failed).",
		}, []string{"type", "result"}),
		ImportRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "numberdesk_import_rows_total",
			Help: "Import rows applied, by kind and result (ok, unchanged, failed).",
		}, []string{"kind", "result"}),
		Replans: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "numberdesk_import_replans_total",
			Help: "Import chunks planned again because the inventory changed before their commit (another writer on the account).",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.JobDuration, m.Jobs, m.ImportRows, m.Replans)
	}
	return m
}
