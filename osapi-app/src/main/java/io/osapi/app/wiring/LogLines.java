package io.osapi.app.wiring;

import io.osapi.adapter.otel.logging.CorrelatingFormatter;
import io.osapi.app.config.LogFormat;
import java.util.logging.Handler;
import java.util.logging.Logger;

/** Sets the format of a server process's log lines: correlated with traces and jobs. */
final class LogLines {
  private LogLines() {}

  /** Every handler of the root logger writes {@code format}, with trace, span and job ids. */
  static void install(LogFormat format) {
    CorrelatingFormatter f = new CorrelatingFormatter(format == LogFormat.JSON
        ? CorrelatingFormatter.Format.JSON : CorrelatingFormatter.Format.TEXT);
    for (Handler h : Logger.getLogger("").getHandlers()) {
      h.setFormatter(f);
    }
  }
}
