/** Types of the part of cluster-key-slot the Redis layout uses (the package ships none). */
declare module 'cluster-key-slot' {
  /** The Redis Cluster hash slot (0-16383) of a key, honouring `{hash tags}`. */
  export default function calculateSlot(key: string): number;
}
