package dev.looper.example;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.looper.example.LooperClient.Decision;
import dev.looper.example.LooperClient.LooperException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks Looper for `count` decisions of a blueprint, for the entities user-java-0 ..
 * user-java-(count-1), and reports the outcome 1 of every decision Looper answered (a stand-in for
 * "the user clicked"): one JSON line per decision on stdout. An error reply's code and message go
 * to stderr and the exit code is 1; a usage error exits 2.
 */
public final class Main {
  static final String USAGE =
      "usage: java -jar looper-java-example.jar <blueprint> <count> [<context JSON>]"
          + " [--deadline-ms N] [--fallback ACTION] [--outcome-retry-ms N]\n"
          + "  connects to LOOPER_NATS_URL (default nats://127.0.0.1:4222)";
  static final String DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

  private record Arguments(
      String blueprint,
      int count,
      JsonNode context,
      Duration deadline,
      String fallbackAction,
      Duration outcomeRetry) {}

  private static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  public static void main(String[] args) throws InterruptedException {
    Arguments arguments;
    try {
      arguments = parse(args);
    } catch (UsageException e) {
      System.err.println("looper-java-example: " + e.getMessage() + "\n" + USAGE);
      System.exit(2);
      return;
    }
    String url = System.getenv().getOrDefault("LOOPER_NATS_URL", DEFAULT_NATS_URL);
    LooperClient looper;
    try {
      looper = LooperClient.connect(url);
    } catch (IOException e) {
      System.err.println("looper-java-example: cannot connect to NATS at " + url + ": " + e.getMessage());
      System.exit(1);
      return;
    }
    int exitCode;
    try (looper) {
      exitCode = run(looper, arguments);
    }
    System.exit(exitCode);
  }

  /** The decisions and their outcomes; returns the exit code. */
  static int run(LooperClient looper, Arguments a) throws InterruptedException {
    ObjectMapper json = new ObjectMapper();
    int exitCode = 0;
    for (int i = 0; i < a.count(); i++) {
      String entity = "user-java-" + i;
      Decision decision;
      try {
        decision = looper.decide(a.blueprint(), entity, a.context(), a.deadline(), a.fallbackAction());
      } catch (LooperException e) {
        // The same blueprint and context for every entity: the next decide would fail alike.
        System.err.println(
            "looper-java-example: decide " + a.blueprint() + " for " + entity + ": " + e.code() + ": "
                + e.getMessage());
        return 1;
      }
      boolean acknowledged = false;
      // A decision made here (Looper did not answer) has no id to report an outcome of.
      if (decision.decisionId() != null) {
        try {
          looper.outcome(decision.decisionId(), 1, a.outcomeRetry());
          acknowledged = true;
        } catch (LooperException e) {
          System.err.println(
              "looper-java-example: outcome of " + decision.decisionId() + ": " + e.code() + ": "
                  + e.getMessage());
          exitCode = 1;
        }
      }
      ObjectNode line = json.createObjectNode();
      line.put("entity", entity);
      line.put("decisionId", decision.decisionId());
      line.put("action", decision.action());
      line.put("score", decision.score());
      line.put("fallback", decision.fallback());
      line.put("fallbackReason", decision.fallbackReason());
      line.put("acknowledged", acknowledged);
      System.out.println(line);
    }
    return exitCode;
  }

  static Arguments parse(String[] args) throws UsageException {
    List<String> positional = new ArrayList<>();
    long deadlineMs = 100;
    String fallbackAction = null;
    // How long an outcome is tried again while Looper is away: the SDK's 15 s.
    long outcomeRetryMs = 15_000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--deadline-ms" -> deadlineMs = positiveNumber("--deadline-ms", valueOf(args, ++i));
        case "--fallback" -> fallbackAction = valueOf(args, ++i);
        case "--outcome-retry-ms" ->
            outcomeRetryMs = positiveNumber("--outcome-retry-ms", valueOf(args, ++i));
        default -> positional.add(args[i]);
      }
    }
    if (positional.size() < 2 || positional.size() > 3)
      throw new UsageException("expected <blueprint> <count> [<context JSON>], got " + positional);
    int count = (int) positiveNumber("<count>", positional.get(1));
    JsonNode context;
    try {
      context = new ObjectMapper().readTree(positional.size() == 3 ? positional.get(2) : "{}");
    } catch (JsonProcessingException e) {
      throw new UsageException("the context is not JSON: " + e.getOriginalMessage());
    }
    if (context == null || !context.isObject())
      throw new UsageException("the context must be a JSON object such as '{\"hour\": 9}'");
    return new Arguments(
        positional.get(0),
        count,
        context,
        Duration.ofMillis(deadlineMs),
        fallbackAction,
        Duration.ofMillis(outcomeRetryMs));
  }

  private static String valueOf(String[] args, int i) throws UsageException {
    if (i >= args.length) throw new UsageException(args[i - 1] + " needs a value");
    return args[i];
  }

  private static long positiveNumber(String name, String text) throws UsageException {
    try {
      long n = Long.parseLong(text);
      if (n > 0 && n <= Integer.MAX_VALUE) return n;
    } catch (NumberFormatException e) {
      // said below
    }
    throw new UsageException(name + " must be a positive whole number, not \"" + text + "\"");
  }
}
