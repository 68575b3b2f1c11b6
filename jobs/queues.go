package jobs

// Queues and their weights for the worker (asynq.Config.Queues): imports
// get most of the capacity, interactive orders are served promptly, and
// periodic work never starves.
const (
	QueueImports  = "imports"
	QueueOrders   = "orders"
	QueuePorting  = "porting"
	QueuePeriodic = "periodic"
)

// QueueWeights are the relative priorities of the queues.
var QueueWeights = map[string]int{
	QueueOrders:   6,
	QueueImports:  4,
	QueuePorting:  2,
	QueuePeriodic: 1,
}
