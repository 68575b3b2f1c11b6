package tmpdeps

import (
	_ "github.com/alicebob/miniredis/v2"
	_ "github.com/gocarina/gocsv"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/hibiken/asynq"
	_ "github.com/nyaruka/phonenumbers"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/robfig/cron/v3"
)
