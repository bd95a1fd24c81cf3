/**
 * Videos, their event log and the feed log, and the REST API over them.
 *
 * <p>The parts of the OpenAPI document ({@code /q/openapi}) that belong to no single resource are declared here, where
 * the scanner looks for them: the server, the statuses, and the problem answers every operation can give. Title,
 * version, description and the bearer scheme are settings (application.properties, "OpenAPI"); everything else comes
 * from the resources' own annotations. The build lints the document and generates a client from it (docs/api.md).
 */
@OpenAPIDefinition(
        // the settings take precedence over these two
        info = @Info(title = "video-events API", version = "see quarkus.smallrye-openapi.info-version"),
        servers = @Server(url = "/", description = "The instance that serves this document: the API is at the root of its origin"),
        components = @Components(
                schemas = @Schema(name = "VideoStatus", type = SchemaType.STRING,
                        enumeration = { "pending", "processing", "processed", "failed" },
                        description = "A video's processing status (the column `processing_status`)"),
                responses = {
                        @APIResponse(name = "Unauthenticated", responseCode = "401",
                                description = "No bearer token, or one that fails verification (signature, issuer, audience,"
                                        + " expiry). Only while authentication is on, as it is by default in the prod profile.",
                                headers = @Header(name = "WWW-Authenticate", description = "`Bearer`",
                                        schema = @Schema(type = SchemaType.STRING)),
                                content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = "Internal", responseCode = "500",
                                description = "The service failed, for example the database could not be read; retry later",
                                content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
                }))
package io.videoevents.video;

import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.servers.Server;
