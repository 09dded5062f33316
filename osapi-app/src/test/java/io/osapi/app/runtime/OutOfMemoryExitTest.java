package io.osapi.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The default uncaught-exception handler: an OutOfMemoryError halts the process with code 3. */
class OutOfMemoryExitTest {
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
  private final List<Integer> halts = new ArrayList<>();
  private final List<Throwable> passedOn = new ArrayList<>();

  private Thread.UncaughtExceptionHandler handler() {
    return OutOfMemoryExit.handler((t, e) -> passedOn.add(e), err, halts::add);
  }

  @Test
  void anOutOfMemoryErrorHaltsWithCode3() throws Exception {
    Thread t = new Thread(() -> {
      throw new OutOfMemoryError("Java heap space");
    }, "osapi-api-7");
    t.setUncaughtExceptionHandler(handler());
    t.start();
    t.join();
    assertThat(halts).containsExactly(3);
    assertThat(passedOn).isEmpty();
    assertThat(errBytes.toString(StandardCharsets.UTF_8))
        .contains("out of memory in thread osapi-api-7 (Java heap space)").contains("code 3");
  }

  @Test
  void otherErrorsGoToThePreviousHandler() {
    IllegalStateException boom = new IllegalStateException("boom");
    handler().uncaughtException(Thread.currentThread(), boom);
    handler().uncaughtException(Thread.currentThread(), new StackOverflowError());
    assertThat(halts).isEmpty();
    assertThat(passedOn).hasSize(2).first().isSameAs(boom);
  }

  @Test
  void withoutAPreviousHandlerTheStackTraceIsPrinted() {
    OutOfMemoryExit.handler(null, err, halts::add)
        .uncaughtException(Thread.currentThread(), new IllegalStateException("boom"));
    assertThat(halts).isEmpty();
    assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("IllegalStateException: boom");
  }
}
