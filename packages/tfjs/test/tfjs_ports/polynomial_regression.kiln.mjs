// tfjs-examples' polynomial-regression-core (index.js and data.js, Apache-2.0, Google LLC)
// without its browser UI: learns a, b, c, d of y = a*x^3 + b*x^2 + c*x + d from noisy
// samples with tf.variable, tf.train.sgd, optimizer.minimize and tf.tidy. The plots are
// replaced by printed losses and coefficients. One expression differs from index.js: its
// `x.pow(tf.scalar(3, "int32"))` is `x.pow(tf.scalar(3))` here (as data.js writes it), since
// Kiln does not upcast int32 to float32 (docs/guide/migrating-from-tfjs.md).
import * as tf from "@kiln/tfjs";

function generateData(numPoints, coeff, sigma = 0.04) {
  return tf.tidy(() => {
    const [a, b, c, d] = [tf.scalar(coeff.a), tf.scalar(coeff.b), tf.scalar(coeff.c), tf.scalar(coeff.d)];

    const xs = tf.randomUniform([numPoints], -1, 1);

    // Generate polynomial data
    const three = tf.scalar(3);
    const ys = a
      .mul(xs.pow(three))
      .add(b.mul(xs.square()))
      .add(c.mul(xs))
      .add(d)
      // Add random noise to the generated data
      // to make the problem a bit more interesting
      .add(tf.randomNormal([numPoints], 0, sigma));

    // Normalize the y values to the range 0 to 1.
    const ymin = ys.min();
    const ymax = ys.max();
    const yrange = ymax.sub(ymin);
    const ysNormalized = ys.sub(ymin).div(yrange);

    return { xs, ys: ysNormalized, ymin: ymin.dataSync()[0], yrange: yrange.dataSync()[0] };
  });
}

// Step 1. Set up variables, these are the things we want the model
// to learn in order to do prediction accurately. We will initialize
// them with random values.
const a = tf.variable(tf.scalar(Math.random()));
const b = tf.variable(tf.scalar(Math.random()));
const c = tf.variable(tf.scalar(Math.random()));
const d = tf.variable(tf.scalar(Math.random()));

// Step 2. Create an optimizer, we will use this later.
const numIterations = 75;
const learningRate = 0.5;
const optimizer = tf.train.sgd(learningRate);

// Step 3. Write our training process functions.
function predict(x) {
  // y = a * x ^ 3 + b * x ^ 2 + c * x + d
  return tf.tidy(() => {
    return a
      .mul(x.pow(tf.scalar(3)))
      .add(b.mul(x.square()))
      .add(c.mul(x))
      .add(d);
  });
}

function loss(prediction, labels) {
  // Having a good error function is key for training a machine learning model
  const error = prediction.sub(labels).square().mean();
  return error;
}

async function train(xs, ys, numIterations) {
  for (let iter = 0; iter < numIterations; iter++) {
    // optimizer.minimize is where the training happens.
    optimizer.minimize(() => {
      // Feed the examples into the model
      const pred = predict(xs);
      return loss(pred, ys);
    });

    // Use tf.nextFrame to not block the browser.
    await tf.nextFrame();
  }
}

function report(label, xs, ys) {
  const coefficients = [a, b, c, d].map((v) => v.dataSync()[0].toFixed(4)).join(" ");
  const predictions = predict(xs);
  const mse = tf.tidy(() => loss(predictions, ys));
  console.log(`${label}: coefficients ${coefficients} loss ${mse.dataSync()[0].toFixed(6)}`);
  predictions.dispose();
  mse.dispose();
}

async function learnCoefficients() {
  const trueCoefficients = { a: -0.8, b: -0.2, c: 0.9, d: 0.5 };
  const trainingData = generateData(100, trueCoefficients);
  const { ymin, yrange } = trainingData;
  const normalized = [trueCoefficients.a, trueCoefficients.b, trueCoefficients.c, trueCoefficients.d - ymin].map((k) =>
    (k / yrange).toFixed(4),
  );
  console.log(`normalized true coefficients ${normalized.join(" ")}`);

  // See what the predictions look like with random coefficients
  report("random", trainingData.xs, trainingData.ys);

  // Train the model!
  await train(trainingData.xs, trainingData.ys, numIterations);

  // See what the final results predictions are after training.
  report("trained", trainingData.xs, trainingData.ys);

  trainingData.xs.dispose();
  trainingData.ys.dispose();
}

await learnCoefficients();
