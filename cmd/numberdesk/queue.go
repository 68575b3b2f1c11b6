package main

import (
	"strings"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// queueConn returns the Asynq connection for the queue's Redis URL (the
// forms of openRedis).
func queueConn(url string) (asynq.RedisConnOpt, error) {
	switch {
	case url == "":
		return nil, usagef("--queue-redis-url is empty and so is --redis-url")
	case strings.HasPrefix(url, "redis-cluster://"):
		return asynq.RedisClusterClientOpt{Addrs: strings.Split(strings.TrimPrefix(url, "redis-cluster://"), ",")}, nil
	case strings.HasPrefix(url, "redis-sentinel://"):
		master, addrs, ok := strings.Cut(strings.TrimPrefix(url, "redis-sentinel://"), "@")
		if !ok || master == "" {
			return nil, usagef("--queue-redis-url %q: want redis-sentinel://<master name>@host:port,...", url)
		}
		return asynq.RedisFailoverClientOpt{MasterName: master, SentinelAddrs: strings.Split(addrs, ",")}, nil
	}
	opt, err := asynq.ParseRedisURI(url)
	if err != nil {
		return nil, usagef("--queue-redis-url %q: %v", url, err)
	}
	return opt, nil
}

// openRedises opens the state's Redis and the queue's connection (the
// queue lives on the state's Redis when queueURL is "").
func openRedises(stateURL, queueURL string) (redis.UniversalClient, asynq.RedisConnOpt, error) {
	rdb, err := openRedis(stateURL)
	if err != nil {
		return nil, nil, err
	}
	if queueURL == "" {
		queueURL = stateURL
	}
	conn, err := queueConn(queueURL)
	if err != nil {
		rdb.Close()
		return nil, nil, err
	}
	return rdb, conn, nil
}
