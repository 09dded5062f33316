package io.osapi.app.wiring;

import io.osapi.app.api.ApiServer;
import io.osapi.app.runtime.AppProcess;
import io.osapi.app.runtime.Backend;
import io.osapi.app.runtime.MetricsEndpoint;

/** What tests need from a test component: the process and its servers. */
public interface TestComponent {
  /** The process. */
  AppProcess process();

  /** Its REST API server (for the bound port). */
  ApiServer apiServer();

  /** Its metrics endpoint (for the bound port). */
  MetricsEndpoint metricsEndpoint();

  /** Its backend. */
  Backend backend();
}
