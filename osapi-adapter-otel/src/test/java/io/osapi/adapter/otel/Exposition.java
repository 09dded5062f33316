package io.osapi.adapter.otel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A small parser of the Prometheus text (0.0.4) and OpenMetrics text exposition, so that tests can
 * assert on the literal output: family names from the {@code # TYPE} lines, their HELP and UNIT,
 * and every sample with its labels. Samples belong to the family whose {@code # TYPE} line came
 * last.
 */
public final class Exposition {

  /** One metric family. */
  public static final class Family {
    public final String name;
    public String type;
    public String help;
    public String unit;
    public final List<Sample> samples = new ArrayList<>();

    Family(String name) {
      this.name = name;
    }

    /** The samples whose name is {@code sampleName}. */
    public List<Sample> samples(String sampleName) {
      return samples.stream().filter(s -> s.name().equals(sampleName)).toList();
    }

    /** The one sample named {@code sampleName} with exactly {@code labels}. */
    public Sample sample(String sampleName, Map<String, String> labels) {
      List<Sample> found =
          samples.stream()
              .filter(s -> s.name().equals(sampleName) && s.labels().equals(labels))
              .toList();
      assertThat(found).as("sample %s%s in family %s", sampleName, labels, name).hasSize(1);
      return found.get(0);
    }

    /** The values label {@code label} takes in this family. */
    public Set<String> labelValues(String label) {
      Set<String> values = new TreeSet<>();
      for (Sample s : samples) {
        String v = s.labels().get(label);
        if (v != null) {
          values.add(v);
        }
      }
      return values;
    }
  }

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private final Map<String, Family> families = new LinkedHashMap<>();
  private final List<String> duplicateTypeLines = new ArrayList<>();

  private Exposition() {}

  public static Exposition parse(String text) {
    Exposition e = new Exposition();
    Family current = null;
    for (String line : text.split("\n", -1)) {
      if (line.isEmpty() || line.equals("# EOF")) {
        continue;
      }
      if (line.startsWith("# ")) {
        String[] parts = line.substring(2).split(" ", 3);
        String keyword = parts[0];
        String name = parts[1];
        String rest = parts.length > 2 ? parts[2] : "";
        Family f = e.families.get(name);
        if (f == null) {
          f = new Family(name);
          e.families.put(name, f);
        }
        switch (keyword) {
          case "TYPE" -> {
            if (f.type != null) {
              e.duplicateTypeLines.add(name);
            }
            f.type = rest;
            current = f;
          }
          case "HELP" -> f.help = rest;
          case "UNIT" -> f.unit = rest;
          default -> throw new IllegalArgumentException("unexpected line: " + line);
        }
        continue;
      }
      Sample s = parseSample(line);
      if (current == null) {
        throw new IllegalArgumentException("sample before any TYPE line: " + line);
      }
      current.samples.add(s);
    }
    return e;
  }

  private static Sample parseSample(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String key = line.substring(i, eq);
        i = eq + 2; // skip ="
        StringBuilder value = new StringBuilder();
        while (line.charAt(i) != '"') {
          char c = line.charAt(i);
          if (c == '\\') {
            char n = line.charAt(++i);
            value.append(n == 'n' ? '\n' : n);
          } else {
            value.append(c);
          }
          i++;
        }
        i++; // closing quote
        labels.put(key, value.toString());
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      i++; // }
    }
    String[] rest = line.substring(i).trim().split(" ");
    return new Sample(name, labels, parseValue(rest[0]));
  }

  private static double parseValue(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(v);
    };
  }

  /** The family named {@code name} (as on its TYPE line); fails if absent. */
  public Family family(String name) {
    Family f = families.get(name);
    assertThat(f).as("family %s in the exposition; families: %s", name, names()).isNotNull();
    return f;
  }

  public boolean has(String name) {
    Family f = families.get(name);
    return f != null && f.type != null;
  }

  /** The names of all families with a TYPE line. */
  public Set<String> names() {
    Set<String> names = new TreeSet<>();
    families.forEach(
        (n, f) -> {
          if (f.type != null) {
            names.add(n);
          }
        });
    return names;
  }

  /** The families that had more than one TYPE line (duplicates break scrapes). */
  public List<String> duplicateTypeLines() {
    return duplicateTypeLines;
  }
}
