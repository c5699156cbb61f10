/**
 * The {@code filemap} example backend: {@link com.example.filemap.FileMapBackendProvider} and its
 * package-private bridge. Everything but the provider is package-private.
 */
package com.example.filemap;
