import java.io.IOException;
import java.io.InputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

/**
 * The {@code native-image} command of the project's build-only toolchain (toolchain.sh): it turns the options Quarkus
 * passes into the arguments of the image builder from Maven Central and runs that builder as Java modules on the
 * toolchain's JDK. Only the options a Quarkus build uses are translated; anything else stops the build with its name,
 * so that a new option is noticed rather than ignored.
 */
public final class NativeImageLauncher {

    private static final String VERSION = "25.0.4";
    private static final String BUILDER = "org.graalvm.nativeimage.builder/com.oracle.svm.hosted.NativeImageGeneratorRunner";

    private static final Pattern TOOL_MODULES = Pattern.compile(
                    "java\\.desktop|java\\.datatransfer|jdk\\.(compiler|javadoc|jshell|hotspot\\.agent|jdeps|jlink|jpackage|jconsole|jartool|jdi|jdwp\\.agent|internal\\.le|internal\\.opt|internal\\.ed|editpad|localedata|accessibility|jstatd|jcmd|jsobject|xml\\.dom|attach|graal\\.compiler.*)");

    /** The configuration files of META-INF/native-image and the builder options that name them. */
    private static final java.util.Map<String, String> CONFIGURATION_FILES = java.util.Map.of(
                    "reachability-metadata.json", "ReachabilityMetadataResources",
                    "jni-config.json", "JNIConfigurationResources",
                    "reflect-config.json", "ReflectionConfigurationResources",
                    "resource-config.json", "ResourceConfigurationResources",
                    "proxy-config.json", "DynamicProxyConfigurationResources",
                    "serialization-config.json", "SerializationConfigurationResources",
                    "serialization-deny-config.json", "SerializationDenyConfigurationResources",
                    "predefined-classes-config.json", "PredefinedClassesConfigurationResources");

    private final Path home;
    private final List<String> javaArgs = new ArrayList<>();
    private final List<String> builderArgs = new ArrayList<>();
    private final LinkedHashSet<Path> classpath = new LinkedHashSet<>();
    private final List<Pattern[]> excludedConfigs = new ArrayList<>();
    private String imageName;
    private boolean jarMode;
    private boolean verbose;

    private NativeImageLauncher(Path home) {
        this.home = home;
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("java.home"));
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-version"))) {
            System.out.println("native-image " + VERSION + " 2026-07-15");
            System.out.println("GraalVM Runtime Environment GraalVM CE " + VERSION + "+1.1 (build " + VERSION + "+1-jvmci-b01)");
            System.out.println("Substrate VM GraalVM CE " + VERSION + "+1.1 (build " + VERSION + "+1, serial gc)");
            return;
        }
        System.exit(new NativeImageLauncher(home).run(List.of(args)));
    }

    private int run(List<String> args) throws IOException, InterruptedException {
        Path cwd = Path.of("").toAbsolutePath();
        Path clibraries = home.resolve("lib/svm/clibraries");
        builderArgs.add("-H:CLibraryPath=" + clibraries.resolve("linux-amd64/glibc") + "," + clibraries.resolve("linux-amd64") + "," + clibraries);
        builderArgs.add("-H:Path=" + cwd);
        // the executable finds the stand-in libjvm.so and the JDK's shared libraries it was linked with here
        builderArgs.add("-H:NativeLinkerOption=-Wl,-rpath," + home.resolve("lib/svm/standin") + ":" + home.resolve("lib"));
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("-J")) {
                javaArgs.add(arg.substring(2));
            } else if (arg.startsWith("-H:") || arg.startsWith("-R:")) {
                builderArgs.add(arg);
            } else if (arg.startsWith("-D")) {
                javaArgs.add(arg);
            } else if (arg.equals("-jar")) {
                jarMode = true;
                addJar(cwd.resolve(args.get(++i)));
            } else if (arg.equals("-cp") || arg.equals("-classpath") || arg.equals("--class-path")) {
                for (String entry : args.get(++i).split(":")) {
                    classpath.add(cwd.resolve(entry).normalize());
                }
            } else if (arg.equals("-o")) {
                imageName = args.get(++i);
            } else if (arg.equals("--exclude-config")) {
                excludedConfigs.add(new Pattern[] {Pattern.compile(args.get(i + 1)), Pattern.compile(args.get(i + 2))});
                i += 2;
            } else if (arg.equals("--verbose")) {
                verbose = true;
            } else if (arg.startsWith("-")) {
                apiOption(arg, "command line");
            } else {
                positional.add(arg);
            }
        }
        // native-image [options] <main class> [image name], or [options] -jar <jar> [image name]
        if (!jarMode && !positional.isEmpty()) {
            builderArgs.add("-H:Class=" + positional.remove(0));
        }
        if (!positional.isEmpty()) {
            imageName = positional.remove(0);
        }
        if (!positional.isEmpty()) {
            throw new IllegalArgumentException("unexpected arguments " + positional);
        }
        if (imageName == null && jarMode) {
            imageName = classpath.iterator().next().getFileName().toString().replaceFirst("\\.jar$", "");
        }
        if (imageName != null) {
            builderArgs.add("-H:Name=" + imageName);
        }
        for (Path entry : classpath) {
            readNativeImageProperties(entry);
        }
        return startBuilder();
    }

    /** The driver's API options that Quarkus and the libraries' native-image.properties use, as builder options. */
    private void apiOption(String arg, String origin) {
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg : arg.substring(0, eq);
        String value = eq < 0 ? null : arg.substring(eq + 1);
        switch (name) {
            case "--no-fallback" -> builderArgs.add("-H:FallbackThreshold=0");
            case "--features" -> builderArgs.add("-H:Features=" + value);
            case "--initialize-at-run-time" -> builderArgs.add("-H:ClassInitialization=" + suffixEach(value, ":run_time"));
            case "--initialize-at-build-time" -> builderArgs.add("-H:ClassInitialization=" + suffixEach(value == null ? "" : value, ":build_time"));
            case "--link-at-build-time" -> builderArgs.add("-H:LinkAtBuildTime=" + (value == null ? "" : value));
            case "--enable-url-protocols" -> builderArgs.add("-H:EnableURLProtocols=" + value);
            case "--enable-monitoring" -> builderArgs.add("-H:EnableMonitoringFeatures=" + (value == null ? "all" : value));
            case "--enable-native-access" -> builderArgs.add("-H:EnableNativeAccess=" + value);
            case "--add-exports" -> builderArgs.add("-H:AddExports=" + value);
            case "--add-opens" -> builderArgs.add("-H:AddOpens=" + value);
            case "--add-reads" -> builderArgs.add("-H:AddReads=" + value);
            case "--trace-class-initialization" -> builderArgs.add("-H:TraceClassInitialization=" + value);
            case "--trace-object-instantiation" -> builderArgs.add("-H:TraceObjectInstantiation=" + value);
            case "--report-unsupported-elements-at-runtime" -> builderArgs.add("-H:+ReportUnsupportedElementsAtRuntime");
            case "--allow-incomplete-classpath" -> { }
            case "--enable-http", "--enable-https" -> builderArgs.add("-H:EnableURLProtocols=" + name.substring("--enable-".length()));
            case "--install-exit-handlers" -> builderArgs.add("-H:+InstallExitHandlers");
            case "--enable-all-security-services" -> { }
            case "-march" -> builderArgs.add("-H:Microarchitecture=" + value);
            case "--gc" -> builderArgs.add("-H:GC=" + value);
            case "-g" -> builderArgs.add("-H:GenerateDebugInfo=2");
            case "--strict-image-heap" -> { }
            default -> {
                if (name.matches("-O[0-9bs]")) {
                    builderArgs.add("-H:Optimize=" + name.substring(2));
                } else {
                    throw new IllegalArgumentException("option " + arg + " (from " + origin + ") is not known to this toolchain's native-image");
                }
            }
        }
    }

    private static String suffixEach(String value, String suffix) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            out.add(part + suffix);
        }
        return String.join(",", out);
    }

    private void addJar(Path jar) throws IOException {
        classpath.add(jar);
        try (JarFile file = new JarFile(jar.toFile())) {
            Attributes main = file.getManifest().getMainAttributes();
            String mainClass = main.getValue("Main-Class");
            if (mainClass != null) {
                builderArgs.add("-H:Class=" + mainClass);
            }
            String cp = main.getValue("Class-Path");
            if (cp != null) {
                for (String entry : cp.trim().split(" +")) {
                    classpath.add(jar.getParent().resolve(entry).normalize());
                }
            }
        }
    }

    /** What the driver does with META-INF/native-image/.../native-image.properties: Args become options. */
    private void readNativeImageProperties(Path entry) throws IOException {
        if (!Files.isRegularFile(entry) || !entry.toString().endsWith(".jar")) {
            return;
        }
        try (JarFile jar = new JarFile(entry.toFile())) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                String name = e.getName();
                if (!name.startsWith("META-INF/native-image/") || excluded(entry, "/" + name)) {
                    continue;
                }
                String file = name.substring(name.lastIndexOf('/') + 1);
                String configOption = CONFIGURATION_FILES.get(file);
                if (configOption != null) {
                    // as the driver does: the builder reads a library's configuration files when told their names
                    builderArgs.add("-H:" + configOption + "=" + name);
                    continue;
                }
                if (!file.equals("native-image.properties")) {
                    continue;
                }
                Properties properties = new Properties();
                try (InputStream in = jar.getInputStream(e)) {
                    properties.load(in);
                }
                String origin = entry.getFileName() + "!/" + name;
                for (String key : new String[] {"Args", "JavaArgs"}) {
                    String value = properties.getProperty(key);
                    if (value == null || value.isBlank()) {
                        continue;
                    }
                    for (String option : value.trim().split("\\s+")) {
                        if (option.contains("${")) {
                            throw new IllegalArgumentException("option " + option + " (from " + origin + ") uses a substitution this toolchain does not support");
                        }
                        if (key.equals("JavaArgs")) {
                            javaArgs.add(option);
                        } else if (option.startsWith("-H:") || option.startsWith("-R:")) {
                            builderArgs.add(option);
                        } else if (option.startsWith("-J")) {
                            javaArgs.add(option.substring(2));
                        } else if (option.startsWith("-D")) {
                            javaArgs.add(option);
                        } else {
                            apiOption(option, origin);
                        }
                    }
                }
            }
        }
    }

    private boolean excluded(Path jar, String resource) {
        for (Pattern[] p : excludedConfigs) {
            if (p[0].matcher(jar.toString()).find() && p[1].matcher(resource).find()) {
                return true;
            }
        }
        return false;
    }

    private int startBuilder() throws IOException, InterruptedException {
        List<Path> modulePath = new ArrayList<>();
        try (var jars = Files.list(home.resolve("lib/svm/builder"))) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(modulePath::add);
        }
        Set<String> builderModules = new TreeSet<>();
        List<ModuleDescriptor> descriptors = new ArrayList<>();
        for (ModuleReference ref : ModuleFinder.of(modulePath.toArray(Path[]::new)).findAll()) {
            builderModules.add(ref.descriptor().name());
            descriptors.add(ref.descriptor());
        }
        String targets = String.join(",", builderModules) + ",ALL-UNNAMED";

        List<String> vm = new ArrayList<>();
        vm.add("-XX:+UseParallelGC");
        vm.add("-XX:+UnlockExperimentalVMOptions");
        vm.add("-XX:+EnableJVMCI");
        vm.add("-XX:-UseJVMCICompiler");
        vm.add("-Xss10m");
        if (javaArgs.stream().noneMatch(a -> a.startsWith("-Xmx"))) {
            vm.add("-XX:MaxRAMPercentage=60");
        }
        vm.add("-Djava.awt.headless=true");
        vm.add("-Dorg.graalvm.vendor=Oracle Corporation");
        vm.add("-Dorg.graalvm.vendorurl=https://www.graalvm.org/");
        vm.add("-Dorg.graalvm.vendorversion=GraalVM CE " + VERSION);
        vm.add("-Dorg.graalvm.version=" + VERSION);
        vm.add("-Dcom.oracle.graalvm.isaot=true");
        vm.add("-Djava.system.class.loader=com.oracle.svm.hosted.NativeImageSystemClassLoader");
        vm.add("-Dorg.graalvm.nativeimage.imagecode=buildtime");
        vm.add("-Xshare:off");
        vm.add("-Dtruffle.TrufflePolicy=None");
        vm.add("-Dgraalvm.ForcePolyglotInvalid=true");
        vm.add("-Dgraalvm.locatorDisabled=true");
        vm.add("-Djdk.internal.lambda.disableEagerInitialization=true");
        vm.add("-Djdk.internal.lambda.eagerlyInitialize=false");
        vm.add("-Djava.lang.invoke.InnerClassLambdaMetafactory.initializeLambdas=false");
        vm.add("-Djava.lang.invoke.MethodHandle.DONT_INLINE_THRESHOLD=-1");
        vm.add("-Djava.lang.invoke.MethodHandle.PROFILE_GWT=false");
        // the builder reaches into the JDK's internals throughout: the system modules' packages are exported and
        // opened to the builder's modules (the JVM takes at most 1000 of each, so the JDK's tools are left out)
        int exported = 0;
        Set<String> inBuilderLayer = new TreeSet<>();
        ModuleFinder builderFinder = ModuleFinder.compose(
                        ModuleFinder.of(modulePath.stream().filter(p -> p.getFileName().toString().startsWith("compiler-")).toArray(Path[]::new)),
                        ModuleFinder.ofSystem(), ModuleFinder.of(modulePath.toArray(Path[]::new)));
        Configuration.empty().resolveAndBind(builderFinder, ModuleFinder.of(), Set.of(BUILDER.substring(0, BUILDER.indexOf('/'))))
                        .modules().forEach(m -> inBuilderLayer.add(m.name()));
        for (ModuleReference ref : ModuleFinder.ofSystem().findAll()) {
            ModuleDescriptor d = ref.descriptor();
            if (TOOL_MODULES.matcher(d.name()).matches() || !inBuilderLayer.contains(d.name())) {
                continue;
            }
            for (String pkg : new TreeSet<>(d.packages())) {
                boolean public_ = d.exports().stream().anyMatch(e -> e.source().equals(pkg) && !e.isQualified());
                if (!public_) {
                    vm.add("--add-exports=" + d.name() + "/" + pkg + "=" + targets);
                    exported++;
                }
                vm.add("--add-opens=" + d.name() + "/" + pkg + "=" + targets);
            }
        }
        vm.add("--enable-native-access=" + String.join(",", builderModules) + ",ALL-UNNAMED");
        vm.addAll(javaArgs);
        // the JDK has a Graal compiler module of its own; the builder's replaces it
        vm.add("--upgrade-module-path");
        vm.add(String.join(":", modulePath.stream().filter(p -> p.getFileName().toString().startsWith("compiler-")).map(Path::toString).toList()));
        vm.add("--module-path");
        vm.add(String.join(":", modulePath.stream().filter(p -> !p.getFileName().toString().startsWith("compiler-")).map(Path::toString).toList()));
        vm.add("--module");
        vm.add(BUILDER);
        vm.add("-keepalive");
        vm.add("/proc/" + ProcessHandle.current().pid() + "/comm");

        Path tmp = Files.createTempDirectory("native-image-");
        Path vmFile = tmp.resolve("vm.args");
        StringBuilder sb = new StringBuilder();
        for (String a : vm) {
            sb.append('"').append(a.replace("\\", "\\\\").replace("\"", "\\\"")).append('"').append('\n');
        }
        Files.writeString(vmFile, sb, StandardCharsets.UTF_8);
        List<String> image = new ArrayList<>();
        image.add("-imagecp");
        image.add(String.join(":", classpath.stream().map(Path::toString).toList()));
        image.addAll(builderArgs);
        // an id for this build, as the driver derives it: from the arguments
        image.add("-H:ImageBuildID=" + java.util.UUID.nameUUIDFromBytes(String.join("\0", image).getBytes(StandardCharsets.UTF_8)));
        Path imageFile = tmp.resolve("image.args");
        Files.writeString(imageFile, String.join("\0", image), StandardCharsets.UTF_8);
        if (verbose || System.getenv("NATIVE_IMAGE_LAUNCHER_VERBOSE") != null) {
            System.err.println("native-image: " + exported + " JDK packages exported to the builder; arguments in " + tmp);
            System.err.println(String.join("\n", image));
        }

        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/java").toString(), "@" + vmFile, "--image-args-file=" + imageFile);
        pb.environment().put("USE_NATIVE_IMAGE_JAVA_PLATFORM_MODULE_SYSTEM", "true");
        // the JDK's JVMCI is a patch release older than the one the compiler was built against
        pb.environment().put("JVMCI_VERSION_CHECK", "ignore");
        pb.environment().put("DRIVER_TEMP_DIR_ENV_VARIABLE", tmp.toString());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        pb.environment().remove("CLASSPATH");
        Process p = pb.inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
        return p.waitFor();
    }
}
