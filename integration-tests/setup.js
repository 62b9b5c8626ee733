// MikroORM keeps entity metadata in a global; each suite must start clean.
const { MetadataStorage } = require("@medusajs/framework/mikro-orm/core")

MetadataStorage.clear()
