export * from "./keys";
export * from "./checksums";
