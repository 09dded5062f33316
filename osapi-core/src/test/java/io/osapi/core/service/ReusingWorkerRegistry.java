package io.osapi.core.service;

import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.domain.WorkerRoster;
import io.osapi.core.memory.InMemoryWorkerRegistry;
import io.osapi.core.port.WorkerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Another process's writes go to {@code store}; this registry answers what it read until
 * {@link #forgetReads}, as a registry reusing reads does at worst.
 */
final class ReusingWorkerRegistry implements WorkerRegistry {
  final InMemoryWorkerRegistry store =
      new InMemoryWorkerRegistry(Clock.systemUTC(), Duration.ofSeconds(30));
  private WorkerRoster roster;
  private Set<String> drains;
  int forgotten;

  @Override
  public void register(WorkerInfo info) {
    store.register(info);
  }

  @Override
  public void heartbeat(WorkerInfo info) {
    store.heartbeat(info);
  }

  @Override
  public void deregister(String workerId) {
    store.deregister(workerId);
  }

  @Override
  public WorkerRoster roster() {
    if (roster == null) {
      roster = store.roster();
    }
    return roster;
  }

  @Override
  public void forgetReads() {
    forgotten++;
    roster = null;
    drains = null;
  }

  @Override
  public boolean requestDrain(String workerId) {
    return store.requestDrain(workerId);
  }

  @Override
  public boolean cancelDrain(String workerId) {
    return store.cancelDrain(workerId);
  }

  @Override
  public boolean drainRequested(String workerId) {
    return store.drainRequested(workerId);
  }

  @Override
  public Set<String> drainRequests() {
    if (drains == null) {
      drains = store.drainRequests();
    }
    return drains;
  }

  @Override
  public void decideKey(KeyDecision decision) {
    store.decideKey(decision);
  }

  @Override
  public Optional<KeyDecision> keyDecision(String workerId) {
    return store.keyDecision(workerId);
  }

  @Override
  public Map<String, KeyDecision> keyDecisions() {
    return store.keyDecisions();
  }
}
