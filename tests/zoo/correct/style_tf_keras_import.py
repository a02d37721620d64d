# Siamese comparator written against tf.keras, the way older TensorFlow tutorials do it.
import numpy as np
import tensorflow as tf

left = tf.keras.Input(shape=(784,), name="left")
right = tf.keras.Input(shape=(784,), name="right")

dense_a = tf.keras.layers.Dense(256, activation=tf.nn.relu)
dense_b = tf.keras.layers.Dense(64, activation=tf.nn.relu)

emb_l = dense_b(dense_a(left))
emb_r = dense_b(dense_a(right))

merged = tf.keras.layers.Concatenate(axis=-1)([emb_l, emb_r])
prob = tf.keras.layers.Dense(1, activation=tf.nn.sigmoid, name="same_digit")(merged)

siamese = tf.keras.Model(inputs=[left, right], outputs=prob, name="siamese_tf")
siamese.summary()

assert siamese.count_params() == 217_537
assert len(siamese.trainable_weights) == 6
p = siamese.predict([np.random.rand(8, 784), np.random.rand(8, 784)], verbose=0)
print(p.shape, p.min(), p.max())
