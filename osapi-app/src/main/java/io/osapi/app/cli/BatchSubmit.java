package io.osapi.app.cli;

import io.osapi.app.api.ApiJson;
import io.osapi.app.api.ApiModel.BatchItem;
import io.osapi.app.api.ApiModel.BatchResult;
import io.osapi.app.client.ControllerClient;
import io.osapi.app.config.ConfigException;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code osapi-app job submit --file FILE}: the create bodies of an NDJSON file (one per line,
 * blank lines skipped; {@code -} for stdin) sent in batches of at most {@value #MAX_ITEMS} jobs and
 * {@value #MAX_BYTES} bytes, with a progress line per batch on stderr and a line on stderr for
 * each job refused, naming its line in the file.
 */
final class BatchSubmit {
  static final int MAX_ITEMS = 1000;
  static final int MAX_BYTES = 4 * 1024 * 1024;

  private final ControllerClient client;
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean json;

  BatchSubmit(ControllerClient client, PrintWriter out, PrintWriter err, boolean json) {
    this.client = client;
    this.out = out;
    this.err = err;
    this.json = json;
  }

  /** Sends the file; 0 when every job was created, else 1. */
  int run(String file) throws IOException {
    List<String> lines = new ArrayList<>();
    List<Integer> numbers = new ArrayList<>();
    try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file));
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (!line.isBlank()) {
          if (line.getBytes(StandardCharsets.UTF_8).length + 1 > MAX_BYTES) {
            throw new ConfigException("--file", "line " + n + " of " + file + " is larger than "
                + MAX_BYTES + " bytes");
          }
          lines.add(line);
          numbers.add(n);
        }
      }
    } catch (NoSuchFileException e) {
      throw new ConfigException("--file", "no such file: " + file);
    }
    if (lines.isEmpty()) {
      throw new ConfigException("--file", file + " holds no jobs (one create body per line, like"
          + " {\"operation\":{\"type\":\"diag.echo\"}})");
    }
    int total = lines.size();
    int created = 0;
    int refused = 0;
    int from = 0;
    long start = System.nanoTime();
    while (from < total) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      int to = from;
      while (to < total && to - from < MAX_ITEMS) {
        byte[] b = (lines.get(to) + "\n").getBytes(StandardCharsets.UTF_8);
        if (body.size() + b.length > MAX_BYTES) {
          break;
        }
        body.write(b);
        to++;
      }
      BatchResult res = client.submitBatch(body.toByteArray());
      for (BatchItem item : res.items()) {
        int line = numbers.get(from + item.index());
        if (json) {
          Map<String, Object> o = new LinkedHashMap<>();
          o.put("line", line);
          o.put("status", item.status());
          o.put("job_id", item.jobId());
          o.put("error", item.error());
          o.values().removeIf(v -> v == null);
          out.println(ApiJson.mapper().writeValueAsString(o));
        } else if (item.status() != 201) {
          err.println("osapi-app: line " + line + ": " + item.status() + " "
              + TerminalText.oneLine(String.valueOf(item.error())));
        }
      }
      created += res.created();
      refused += res.refused();
      from = to;
      double s = (System.nanoTime() - start) / 1e9;
      err.printf(java.util.Locale.ROOT, "submitted %d/%d jobs (%d refused), %.0f jobs/s%n",
          from, total, refused, from / Math.max(s, 1e-3));
      err.flush();
    }
    if (!json) {
      out.println(created + " jobs submitted" + (refused == 0 ? "" : ", " + refused
          + " refused"));
    }
    out.flush();
    return refused == 0 ? 0 : 1;
  }
}
