package jobs

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
)

func TestImportChunkTask(t *testing.T) {
	p := ImportChunkPayload{AccountID: "a1", ImportID: "imp_x", Chunk: 7}
	task, err := NewImportChunkTask(p)
	if err != nil {
		t.Fatal(err)
	}
	if task.Type() != "import:chunk" {
		t.Errorf("type %q: type strings never change once shipped", task.Type())
	}
	got, err := ParseImportChunk(task)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if id := ImportChunkTaskID("imp_x", 7); id != "imp_x:7" {
		t.Errorf("task id %q", id)
	}
	for _, body := range []string{`{`, `{}`, `{"account_id":"a","import_id":"i","chunk":-1}`} {
		if _, err := ParseImportChunk(asynq.NewTask(TypeImportChunk, []byte(body))); err == nil {
			t.Errorf("payload %s: no error", body)
		}
	}
	if QueueWeights[QueueImports] == 0 || QueueWeights[QueueOrders] <= QueueWeights[QueuePeriodic] {
		t.Errorf("queue weights %v", QueueWeights)
	}
}
