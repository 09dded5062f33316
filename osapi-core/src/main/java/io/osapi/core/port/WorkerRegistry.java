package io.osapi.core.port;

import io.osapi.core.domain.WorkerInfo;
import java.util.List;

/** Heartbeats of live workers; entries expire when a worker stops reporting. */
public interface WorkerRegistry {

  /** Records or refreshes a worker's entry. */
  void heartbeat(WorkerInfo info);

  /** Removes a worker's entry (clean stop). */
  void deregister(String workerId);

  /** Every worker whose entry has not expired. */
  List<WorkerInfo> workers();
}
